import EngramCore
import EngramSQLite
import Foundation
import Testing

/// The storage backends the behaviour suite runs against. Adding PostgreSQL means adding a case here
/// and a branch in ``makeStore(_:clock:configuration:)``; no test body changes.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// The name the backend reports in ``StoreHealth/backend``.
    var healthName: String {
        switch self {
        case .sqlite: "sqlite"
        }
    }
}

/// A fresh, empty store of `backend`, driven by `clock`.
func makeStore(
    _ backend: Backend, clock: ManualClock = ManualClock(), configuration: EngramConfiguration = .init()
) throws -> any MemoryStore {
    try makeDatabase(backend)(clock, configuration)
}

/// A fresh, empty database of `backend`, and a function that opens a store on it. Every call opens a new
/// store instance on the same data: to test reopening and several instances sharing one database.
func makeDatabase(_ backend: Backend) throws -> @Sendable (ManualClock, EngramConfiguration) throws -> any MemoryStore {
    switch backend {
    case .sqlite:
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("engram.sqlite").path
        return { clock, configuration in
            try SQLiteMemoryStore(path: path, configuration: configuration, clock: clock)
        }
    }
}

/// Where this test process keeps its database files. Files of earlier runs are removed on first use,
/// so repeated runs do not fill the temporary folder.
let testRoot: URL = {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("engram-store-tests", isDirectory: true)
    try? FileManager.default.removeItem(at: base)
    return base.appendingPathComponent("run-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
}()
