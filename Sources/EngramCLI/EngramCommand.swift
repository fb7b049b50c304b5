import ArgumentParser
import Foundation

/// The `engram` command: memory for LLM agents, from the command line.
public struct EngramCommand: AsyncParsableCommand {
    /// The command's name, abstract and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "engram",
        abstract: "Memory for LLM agents: remember, recall, link and forget, in SQLite or PostgreSQL.",
        discussion: """
            Every command takes --db PATH-OR-URL (or $ENGRAM_DB, or $DATABASE_URL), --user ID (or $ENGRAM_USER) \
            and --json. Start with `engram demo` to see what Engram does, or `engram init` to create a database. \
            Commands that only read open the database read-only and never create it.

            Exit codes: 0 success, 1 other failure, 2 invalid input, 3 not found, 4 malformed import, 64 bad usage.
            """,
        version: "0.2.0",
        groupedSubcommands: [
            CommandGroup(
                name: "Long-term memory",
                subcommands: [
                    RememberCommand.self, RecallCommand.self, MemoryCommand.self, ForgetCommand.self,
                    LinkCommand.self, UnlinkCommand.self, NeighboursCommand.self, EmotionCommand.self,
                    FeedbackCommand.self, EmbedCommand.self,
                ]),
            CommandGroup(
                name: "Conversations",
                subcommands: [
                    ObserveCommand.self, SessionCommand.self, MessageCommand.self, ContextCommand.self,
                    FactsCommand.self,
                    StateCommand.self,
                ]),
            CommandGroup(
                name: "Users, agents and modules",
                subcommands: [UserCommand.self, AgentCommand.self, ModuleCommand.self]),
            CommandGroup(
                name: "Inspection and upkeep",
                subcommands: [
                    StatsCommand.self, AuditCommand.self, MaintainCommand.self, ReembedCommand.self,
                    DoctorCommand.self, ExportCommand.self, ImportCommand.self, BackupCommand.self,
                    RestoreCommand.self,
                ]),
            CommandGroup(name: "Setup", subcommands: [InitCommand.self, MigrateCommand.self, IndexCommand.self]),
            CommandGroup(name: "Serving", subcommands: [ServeCommand.self, McpCommand.self, KeysCommand.self]),
            CommandGroup(
                name: "Try and measure", subcommands: [DemoCommand.self, BenchCommand.self, EvalCommand.self]),
        ]
    )

    /// Creates the root command; ArgumentParser calls this.
    public init() {}

    /// Parses the process's arguments, runs the command and exits with its exit code.
    public static func main() async {
        await main(nil)
    }

    /// Parses `arguments` (the process's when `nil`), runs the command and exits with its exit code.
    public static func main(_ arguments: [String]?) async {
        let code = await execute(arguments ?? Array(CommandLine.arguments.dropFirst()))
        Self.exit(withError: code == 0 ? nil : ExitCode(code))
    }

    /// Parses `arguments`, runs the command and returns the exit code, printing errors to ``Output/sink``.
    public static func execute(_ arguments: [String]) async -> Int32 {
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            return report(error)
        }
    }

    /// Prints `error` the way the CLI shows errors and returns the exit code it maps to.
    static func report(_ error: any Error) -> Int32 {
        if let report = EngramErrorReport(error) {
            Output.errorLine(report.text)
            return report.exitCode
        }
        let code = exitCode(for: error).rawValue
        let message = fullMessage(for: error)
        if code == 0 {
            if !message.isEmpty { Output.line(message) }
        } else if !message.isEmpty {
            Output.errorLine(message)
        }
        return code
    }
}
