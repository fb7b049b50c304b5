import EngramCore
import Foundation
import PostgresNIO
import Testing

@testable import EngramPostgres

/// Migrations against the real server, run by ``MemoryService`` over the driver: up → down → up gives the same
/// catalog, concurrency is safe, an edited applied migration is refused.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct PostgresMigrationTests {
    /// The schema's catalog as sorted text lines: columns, constraints, indexes, policies, triggers.
    private func catalog(_ driver: PostgresDriver) async throws -> [String] {
        let schema = driver.postgres.schema
        return try await driver.transaction(.store) { connection in
            var lines: [String] = []
            let queries: [PostgresQuery] = [
                """
                SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                    || coalesce(column_default, '') FROM information_schema.columns
                WHERE table_schema = \(schema) AND table_name <> 'engram_schema_version'
                """,
                """
                SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = \(schema)::regnamespace
                    AND conrelid::regclass::text NOT LIKE '%engram_schema_version%'
                """,
                "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = \(schema) AND tablename <> 'engram_schema_version'",
                "SELECT tablename || ' ' || policyname || ' ' || qual FROM pg_policies WHERE schemaname = \(schema)",
                """
                SELECT tgrelid::regclass::text || ' ' || tgname FROM pg_trigger
                WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE \(schema + ".%")
                """,
            ]
            for query in queries {
                for try await line in try await connection.query(query, logger: testLogger).decode(String.self) {
                    lines.append(line)
                }
            }
            return lines.sorted()
        }
    }

    /// `search_length` (010_search_length.sql) and `search_counts` (011_search_counts.sql) repeat `search`'s
    /// expression: they must stay the last position of `search` and its lexemes' counts for every kind of row, or
    /// BM25 on PostgreSQL normalises by another length, or counts other frequencies, than SQLite's.
    @Test func storedSearchLengthAndCountsAreThoseOfTheSearchVector() async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let drafts = [
                MemoryDraft(userID: "alice", content: "Short"),
                MemoryDraft(userID: "alice", content: "The the the and of"),
                MemoryDraft(
                    userID: "alice", content: "Alice runs the Berlin marathon every spring",
                    summary: "A runner's habit, a yearly race", tags: ["sport", "travel plans"],
                    keywords: ["marathon", "Berlin"]),
                MemoryDraft(userID: "alice", content: "Ünïcödé wörds and emoji 🏃 count too", tags: ["ß"]),
            ]
            _ = try await store.rememberAll(drafts)
            let schema = driver.postgres.schema
            let rows = try await driver.transaction(.store) { connection in
                _ = try await connection.query(
                    "UPDATE \(unescaped: schema).memories SET search_context = 'Bob: see you at the start line 3 May 2023' WHERE content = 'Short'",
                    logger: testLogger)
                var rows: [(Int, Int, Bool, String)] = []
                for try await row in try await connection.query(
                    """
                    SELECT search_length, \(unescaped: schema).engram_tsvector_length(search),
                        search_counts = \(unescaped: schema).engram_tsvector_counts(search), search_counts::text
                    FROM \(unescaped: schema).memories ORDER BY seq
                    """, logger: testLogger
                ).decode((Int, Int, Bool, String).self) {
                    rows.append(row)
                }
                return rows
            }
            #expect(rows.count == drafts.count)
            for (stored, computed, countsEqual, _) in rows {
                #expect(stored == computed)
                #expect(countsEqual)
            }
            // The context row counts its neighbours' words: longer than "Short" alone (1).
            #expect(rows.first.map(\.0).map { $0 > 5 } == true)
            // "marathon" and "berlin" once in the content (A) and once as keywords (B); "runner" only in the summary.
            let counts = try JSONDecoder().decode([String: [Int]].self, from: Data(rows[2].3.utf8))
            #expect(counts["marathon"] == [1, 1])
            #expect(counts["berlin"] == [1, 1])
            #expect(counts["runner"] == [0, 1])
            #expect(counts["spring"] == [1, 0])
        }
    }

    @Test func upDownUpGivesTheSameSchemaAndStatusFollows() async throws {
        try await withIsolatedService(migrate: false) { store, driver in
            let count = driver.migrations.count
            #expect(try await store.migrationStatus().allSatisfy { !$0.applied })
            #expect(try await driver.appliedMigrations().isEmpty)
            #expect(try await store.migrateUp().count == count)
            #expect(try await store.migrationStatus().allSatisfy(\.applied))
            let first = try await self.catalog(driver)
            #expect(first.contains { $0.hasPrefix("memories.search tsvector") })
            #expect(first.contains { $0.hasPrefix("memories.search_length integer") })
            #expect(first.contains { $0.hasPrefix("memories.search_counts jsonb") })
            #expect(first.contains { $0.contains("USING hnsw") } == false)  // HNSW indexes come per model, later
            #expect(first.contains { $0.hasPrefix("memories user_scope") })

            #expect(try await store.migrateDown(steps: count).count == count)
            #expect(try await store.migrationStatus().allSatisfy { !$0.applied })
            #expect(try await self.catalog(driver).isEmpty)

            try await store.migrateUp()
            #expect(try await self.catalog(driver) == first)
            #expect(try await store.migrateUp().isEmpty)  // idempotent: nothing left to apply
        }
    }

    @Test func twoConcurrentMigrationsApplyEachVersionOnce() async throws {
        let configuration = try isolatedConfiguration()
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
                        try await service(driver).migrateUp()
                    }
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        let versions = try PostgresDriver.bundledMigrations().map(\.version)
        #expect(results.flatMap { $0 }.sorted() == versions)
        try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            #expect(try await service(driver).migrationStatus().allSatisfy(\.applied))
            try await dropSchema(driver)
        }
    }

    /// The recorded checksum of migration 001 no longer matches the file this build ships: as if the file had been
    /// edited after it ran.
    @Test func anEditedAppliedMigrationIsRefused() async throws {
        try await withIsolatedService { store, driver in
            try await driver.transaction(.store) { connection in
                try await connection.query(
                    "UPDATE engram_schema_version SET checksum = 'edited' WHERE version = 1", logger: testLogger)
            }
            let status = try await store.migrationStatus()
            #expect(status.first?.checksumMatches == false)
            let error = await expectEngramError(.schemaTooNew) { try await store.migrateUp() }
            #expect(error?.message.contains("edited") == true)
            // A new service refuses to use the schema at all.
            await expectEngramError(.schemaTooNew) { try await service(driver).users() }
        }
    }

    @Test func healthReportsTheServer() async throws {
        try await withIsolatedService { store, driver in
            let health = await store.health()
            #expect(health.status == "ok", "\(health.message) \(health.details)")
            #expect(health.message == "Database connection successful")
            #expect(health.backend == "postgres")
            #expect(health.version.hasPrefix("PostgreSQL 18"))
            #expect(health.database == driver.postgres.database)
            #expect(health.details["pgvector"]?.hasPrefix("0.8") == true)
            #expect(health.details["schema"] == driver.postgres.schema)
            #expect(health.host == "127.0.0.1")
            #expect(health.port == driver.postgres.hostDescription.port)
            #expect(health.schemaVersion == driver.migrations.map(\.version).max())
            #expect(health.pendingMigrations.isEmpty)
            // scripts/pg.sh marks `@@` leakproof, so full-text search keeps its index under row-level security.
            #expect(health.details["text_search_index"] == "used", "\(health.details)")
        }
    }

    @Test func fullTextSearchUnderRowLevelSecurityUsesItsIndex() async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let words = ["tea", "lyon", "bike", "garden", "piano", "river", "chess", "museum"]
            _ = try await store.rememberAll(
                (0..<400).map { MemoryDraft(userID: "alice", content: "note \($0) about \(words[$0 % words.count])") }
                    + [MemoryDraft(userID: "alice", content: "Alice drinks coffee")])
            let plan = try await driver.transaction(.user("alice")) { connection -> String in
                try await connection.query("ANALYZE memories", logger: testLogger)
                return try await connection.rows(
                    """
                    EXPLAIN SELECT id FROM memories
                    WHERE user_id = 'alice' AND search @@ to_tsquery('english', 'coffee')
                    """, logger: testLogger
                ) { try $0.decode(String.self) }.joined(separator: "\n")
            }
            #expect(plan.contains("memories_search"), "\(plan)")
        }
    }

    @Test func rowLevelSecurityHidesOtherUsersAndEverythingFromUnscopedConnections() async throws {
        try await withIsolatedService { _, driver in
            try await driver.transaction(.store) { connection in
                for user in ["alice", "bob"] {
                    try await connection.query(
                        """
                        INSERT INTO users (id, name, role, created_at, updated_at, last_activity_at)
                        VALUES (\(user), \(user), 'user', now(), now(), now())
                        """, logger: testLogger)
                }
            }
            let seenByAlice = try await driver.transaction(.user("alice")) { connection -> [String] in
                try await connection.rows("SELECT id FROM users", logger: testLogger) { try $0.decode(String.self) }
            }
            #expect(seenByAlice == ["alice"])
            // A plain connection that sets no user sees nothing, although the rows exist.
            let unscoped = try await driver.client.withConnection { connection -> [Int] in
                let table = driver.postgres.schema + ".users"
                return try await connection.rows("SELECT count(*)::int FROM \(unescaped: table)", logger: testLogger) {
                    try $0.decode(Int.self)
                }
            }
            #expect(unscoped == [0])
        }
    }
}

/// The troubleshooting cases of the seeds, each with an error that says what to do.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct PostgresTroubleshootingTests {
    private func health(_ change: (inout PostgresConfiguration) -> Void) async throws -> StoreHealth {
        var configuration = try isolatedConfiguration()
        configuration.connectTimeout = .seconds(3)
        change(&configuration)
        let final = configuration
        return try await PostgresDriver.withDriver(final, logger: testLogger) { driver in
            await service(driver).health()
        }
    }

    @Test func connectionRefused() async throws {
        let health = try await health { $0.endpoint = .tcp(host: "127.0.0.1", port: 1) }
        #expect(health.status == "error")
        #expect(health.message.contains("scripts/pg.sh start"), "\(health.message)")
        #expect(health.host == "127.0.0.1")
        #expect(health.port == 1)
        var configuration = try isolatedConfiguration()
        configuration.endpoint = .tcp(host: "127.0.0.1", port: 1)
        let refused = try PostgresDriver(configuration, logger: testLogger)
        let error = await expectEngramError(.databaseUnavailable) { try await refused.checkConnection() }
        #expect(error?.message.contains("Cannot connect to PostgreSQL at 127.0.0.1:1") == true)
    }

    @Test func databaseDoesNotExist() async throws {
        let health = try await health { $0.database = "engram_no_such_database" }
        #expect(health.status == "error")
        #expect(health.message.contains("does not exist"), "\(health.message)")
    }

    @Test func wrongPassword() async throws {
        let health = try await health { $0.password = "not-the-password" }
        #expect(health.status == "error")
        #expect(health.message.contains("password"), "\(health.message)")
    }
}
