import ArgumentParser
import EngramCore
import Foundation
import Testing

@testable import EngramCLI

/// What one in-process run of the CLI printed and returned.
struct CLIRun {
    var exitCode: Int32
    var output: String
    var error: String
}

/// A temporary directory for one test's databases and files, removed when the test's suite instance goes away.
final class TemporaryFiles: Sendable {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "engram-cli-tests-\(UUID().uuidString)")

    /// A fresh database path; the store creates its directory.
    func database() -> String {
        directory.appendingPathComponent(UUID().uuidString).appendingPathComponent("engram.sqlite").path
    }

    /// A fresh file path in an existing directory.
    func file(_ name: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs the CLI in-process with its output captured.
enum CLI {
    /// CLI tests run with the hashing embedder, whether or not the MiniLM files are installed, unless a test
    /// passes `--embedder`; the MiniLM path has tests of its own.
    static let hashingByDefault: Void = { setenv("ENGRAM_EMBEDDER", "hashing", 1) }()

    /// Parses `arguments` as the root command and runs it, returning standard output; errors are thrown as is.
    static func run(_ arguments: [String]) async throws -> String {
        _ = hashingByDefault
        let sink = OutputSink.capture()
        try await Output.$sink.withValue(sink) {
            let parsed = try EngramCommand.parseAsRoot(arguments)
            guard var command = parsed as? any AsyncParsableCommand else {
                Issue.record("\(arguments) did not parse to an async command")
                return
            }
            try await command.run()
        }
        return sink.standardOutput
    }

    /// Runs `arguments` the way the executable does: errors become stderr text and an exit code.
    static func execute(_ arguments: [String]) async -> CLIRun {
        _ = hashingByDefault
        let sink = OutputSink.capture()
        let code = await Output.$sink.withValue(sink) {
            await EngramCommand.execute(arguments)
        }
        return CLIRun(exitCode: code, output: sink.standardOutput, error: sink.standardError)
    }

    /// Runs `arguments` with `--json` and decodes the output as `T`.
    static func json<T: Decodable>(_ type: T.Type, _ arguments: [String]) async throws -> T {
        let output = try await run(arguments + ["--json"])
        return try Output.jsonDecoder().decode(T.self, from: Data(output.utf8))
    }
}
