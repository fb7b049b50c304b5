import EngramCLI

/// The `engram` executable: runs ``EngramCommand`` with the process's arguments.
@main
struct EngramMain {
    /// Runs the command line and exits with its exit code.
    static func main() async {
        await EngramCommand.main()
    }
}
