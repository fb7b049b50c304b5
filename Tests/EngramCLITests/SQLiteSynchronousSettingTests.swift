import Foundation
import Testing

/// `ENGRAM_SQLITE_SYNCHRONOUS` as a user sets it: read by every command that opens a SQLite file, shown by
/// `engram doctor`, and refused with what to write when it is neither `full` nor `normal`. (A process of its own:
/// the variable would reach every test running in this one.)
@Suite struct SQLiteSynchronousSettingTests {
    /// Runs `engram` with `arguments` and `synchronous` in its environment (nil: unset).
    private func engram(_ arguments: [String], synchronous: String?) throws -> (Int32, String, String) {
        let binary = try #require(ServeProcessTests.binary, "build engram first (swift build)")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ENGRAM_SQLITE_SYNCHRONOUS"] = synchronous
        environment["ENGRAM_EMBEDDER"] = "hashing"
        process.environment = environment
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complained = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed, complained)
    }

    @Test func theSettingIsReadShownAndChecked() throws {
        let folder = try ServeProcessTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        #expect(try engram(["init", "--db", database], synchronous: nil).0 == 0)
        for (value, shown) in [(nil, "full"), ("normal", "normal"), ("FULL", "full")] as [(String?, String)] {
            let (status, printed, _) = try engram(["doctor", "--db", database, "--json"], synchronous: value)
            let report = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any]
            let details = (report?["health"] as? [String: Any])?["details"] as? [String: Any]
            #expect(status == 0, "\(printed)")
            #expect(details?["synchronous"] as? String == shown, "\(value ?? "unset"): \(printed)")
        }
        let (status, printed, complained) = try engram(
            ["remember", "--db", database, "hello"], synchronous: "sometimes")
        #expect(status != 0)
        #expect(
            (printed + complained).contains("ENGRAM_SQLITE_SYNCHRONOUS must be full or normal"), "\(complained)")
    }
}
