import Foundation

extension MemoryService {
    /// Where each migration of the driver stands; applied migrations unknown to this build are listed too.
    public func migrationStatus() async throws -> [MigrationStatus] {
        MigrationStatus.of(known: driver.migrations, applied: try await driver.appliedMigrations())
    }

    /// Applies pending migrations in order (up to `target`), each in its own transaction under the migration lock.
    /// Refuses to run when an applied migration was edited or is unknown to this build. Returns the versions applied.
    @discardableResult
    public func migrateUp(to target: Int? = nil) async throws -> [Int] {
        var applied: [Int] = []
        for migration in driver.migrations where migration.version <= (target ?? .max) {
            let date = now()
            let done = try await driver.migrating { tx -> Bool in
                let status = MigrationStatus.of(
                    known: self.driver.migrations, applied: try await tx.appliedMigrations())
                try Self.checkApplied(status)
                if status.contains(where: { $0.applied && $0.version == migration.version }) { return false }
                try await tx.execute(migration.up)
                try await tx.recordApplied(migration, at: date)
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    /// Reverts the newest `steps` applied migrations, newest first. Returns the versions reverted.
    @discardableResult
    public func migrateDown(steps: Int = 1) async throws -> [Int] {
        let steps = try validator.count(steps, field: "steps", in: 1...1_000)
        var reverted: [Int] = []
        for _ in 0..<steps {
            let version = try await driver.migrating { tx -> Int? in
                let applied = try await tx.appliedMigrations()
                guard let newest = applied.max(by: { $0.version < $1.version }) else { return nil }
                guard let migration = self.driver.migrations.first(where: { $0.version == newest.version }) else {
                    throw EngramError(
                        .schemaTooNew,
                        "Migration \(newest.version) is not known to this build; revert it with the Engram that applied it."
                    )
                }
                try await tx.execute(migration.down)
                try await tx.removeRecord(version: migration.version)
                return migration.version
            }
            guard let version else { break }
            reverted.append(version)
        }
        isReady.withLock { $0 = false }
        return reverted
    }

    /// The store's vector indexes (PostgreSQL); empty on SQLite, which searches vectors in memory.
    public func vectorIndexStatistics() async throws -> [VectorIndexStatistics] {
        try await ready()
        return try await driver.vectorIndexStatistics()
    }

    /// Rebuilds one vector index per model and dimension, with `method` or each index's current one.
    public func rebuildVectorIndexes(method: VectorIndexMethod? = nil) async throws -> [VectorIndexStatistics] {
        try await ready()
        return try await driver.rebuildVectorIndexes(method: method)
    }
}
