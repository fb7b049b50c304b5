import Crypto
import EngramCore
import Foundation

/// One numbered migration: SQL with an up part and a down part, and the checksum of its file.
/// Files live in `Sources/EngramPostgres/Migrations/NNN_name.sql`, split by `-- migrate:up` and
/// `-- migrate:down` lines; once applied, a file must never change (the checksum is recorded and checked).
public struct PostgresMigration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var up: String
    public var down: String
    /// SHA-256 of the whole file.
    public var checksum: String

    /// Parses a migration file's text. `fileName` is `NNN_name.sql`.
    public init(fileName: String, text: String) throws {
        let stem = fileName.hasSuffix(".sql") ? String(fileName.dropLast(4)) : fileName
        guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
            throw EngramError(.invalidArgument, "A migration file must be named NNN_name.sql.")
        }
        let lines = text.components(separatedBy: "\n")
        guard let upLine = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "-- migrate:up" }),
            let downLine = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "-- migrate:down" }),
            upLine < downLine
        else {
            throw EngramError(
                .invalidArgument, "Migration \(stem) needs a '-- migrate:up' line followed by a '-- migrate:down' line."
            )
        }
        self.version = version
        self.name = String(stem[stem.index(after: underscore)...])
        self.up = lines[(upLine + 1)..<downLine].joined(separator: "\n")
        self.down = lines[(downLine + 1)...].joined(separator: "\n")
        self.checksum = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The migrations shipped with this build, by version.
    public static func bundled() throws -> [PostgresMigration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw EngramError(.storageFailure, "This build has no PostgreSQL migrations folder; reinstall Engram.")
        }
        return try directory(folder)
    }

    /// The migrations in a folder of `NNN_name.sql` files, by version; duplicate versions are an error.
    public static func directory(_ directory: URL) throws -> [PostgresMigration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        let migrations = try files.map { file in
            try PostgresMigration(
                fileName: file, text: String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
        }.sorted { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw EngramError(.invalidArgument, "Two migrations have version \(next.version); renumber one.")
        }
        return migrations
    }

    /// Splits SQL into statements at `;` line ends, keeping dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) whole.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var openTag: String?
        for line in sql.components(separatedBy: "\n") {
            current += line + "\n"
            var index = line.startIndex
            while let start = line[index...].firstIndex(of: "$") {
                guard let end = line[line.index(after: start)...].firstIndex(of: "$") else { break }
                let tag = String(line[start...end])
                if tag.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0 == "_" }) {
                    if openTag == nil {
                        openTag = tag
                    } else if openTag == tag {
                        openTag = nil
                    }
                }
                index = line.index(after: end)
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if openTag == nil, trimmed.hasSuffix(";"), !trimmed.hasPrefix("--") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty, !rest.split(separator: "\n").allSatisfy({ $0.hasPrefix("--") }) { statements.append(rest) }
        return statements
    }
}

/// Where one migration stands on a database.
public struct MigrationStatus: Sendable, Hashable, Codable {
    public var version: Int
    public var name: String
    public var applied: Bool
    public var appliedAt: Date?
    /// `false` when the applied migration's recorded checksum differs from this build's file.
    public var checksumMatches: Bool

    public init(version: Int, name: String, applied: Bool, appliedAt: Date?, checksumMatches: Bool) {
        self.version = version
        self.name = name
        self.applied = applied
        self.appliedAt = appliedAt
        self.checksumMatches = checksumMatches
    }
}
