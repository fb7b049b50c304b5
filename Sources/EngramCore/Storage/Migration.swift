import Crypto
import Foundation

/// One numbered migration of a driver's schema: SQL with an up part and a down part, and the checksum of its file.
///
/// Files are named `NNN_name.sql` and split by a `-- migrate:up` line and a `-- migrate:down` line. Once applied, a
/// file must never change: its checksum is recorded and checked, and a change is a new migration.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var up: String
    public var down: String
    /// SHA-256 (hex) of the whole file.
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
        self.checksum = ContentHash.hex(Data(text.utf8))
    }

    /// `NNN_name`, as files and reports name it.
    public var identifier: String { String(format: "%03d_", version) + name }

    /// The migrations in a folder of `NNN_name.sql` files, by version; two files of one version are an error.
    public static func directory(_ directory: URL) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        } catch {
            throw EngramError(.invalidArgument, "Cannot read the migrations folder; check its path.")
        }
        let migrations = try files.map { file in
            try Migration(
                fileName: file, text: String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
        }.sorted { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw EngramError(.invalidArgument, "Two migrations have version \(next.version); renumber one.")
        }
        return migrations
    }

    /// The text of a new, empty migration file named `name`.
    public static func template(name: String) -> String {
        "-- \(name)\n\n-- migrate:up\n\n-- migrate:down\n"
    }
}

/// A migration as the database records it.
public struct AppliedMigration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var checksum: String
    public var appliedAt: Date

    public init(version: Int, name: String, checksum: String, appliedAt: Date) {
        self.version = version
        self.name = name
        self.checksum = checksum
        self.appliedAt = appliedAt
    }
}

/// Where one migration stands on a database.
public struct MigrationStatus: Sendable, Hashable, Codable {
    public var version: Int
    public var name: String
    public var applied: Bool
    public var appliedAt: Date?
    /// `false` when the applied migration's recorded checksum differs from this build's file, or when this build
    /// does not know it.
    public var checksumMatches: Bool
    /// Whether this build ships the migration; `false` for one applied by a newer Engram.
    public var known: Bool

    public init(version: Int, name: String, applied: Bool, appliedAt: Date?, checksumMatches: Bool, known: Bool = true)
    {
        self.version = version
        self.name = name
        self.applied = applied
        self.appliedAt = appliedAt
        self.checksumMatches = checksumMatches
        self.known = known
    }

    /// Where each of `known` stands given the `applied` records; applied migrations unknown to this build are
    /// listed too. By version.
    public static func of(known: [Migration], applied: [AppliedMigration]) -> [MigrationStatus] {
        let records = Dictionary(applied.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        var result = known.map { migration in
            let record = records[migration.version]
            return MigrationStatus(
                version: migration.version, name: migration.name, applied: record != nil, appliedAt: record?.appliedAt,
                checksumMatches: record.map { $0.checksum == migration.checksum } ?? true)
        }
        for record in applied where !known.contains(where: { $0.version == record.version }) {
            result.append(
                MigrationStatus(
                    version: record.version, name: record.name, applied: true, appliedAt: record.appliedAt,
                    checksumMatches: false, known: false))
        }
        return result.sorted { $0.version < $1.version }
    }
}
