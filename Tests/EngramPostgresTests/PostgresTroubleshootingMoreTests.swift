import EngramCore
import Foundation
import PostgresNIO
import Testing
import _ConnectionPoolModule

@testable import EngramPostgres

/// The rest of the seeds' troubleshooting cases against the real server: permission denied, pgvector
/// missing, an embedding of the wrong dimension and too many connections. Each must surface as an
/// ``EngramError`` whose message says what to do.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct PostgresTroubleshootingMoreTests {
    // MARK: Permission denied

    /// A schema the role may use but not create in (`information_schema` belongs to the superuser): the
    /// migration's first `CREATE TABLE` there is refused with SQLSTATE 42501. Needs no superuser.
    @Test func permissionDeniedOnASchemaOwnedByAnotherRole() async throws {
        var configuration = try isolatedConfiguration()
        configuration.schema = "information_schema"
        let error = try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            await expectEngramError(.storageFailure) { try await service(driver).createUser(UserDraft(id: "alice")) }
        }
        #expect(error?.message.contains("Permission denied") == true, "\(String(describing: error))")
        #expect(error?.message.contains("grant it or use the owner role") == true)
    }

    /// A second login role without privileges (created by the superuser through `scripts/pg.sh`) opens a service
    /// on a schema the `engram` role migrated: it may not use the schema, whether the service would migrate on
    /// first use or not, and both say "Permission denied".
    @Test(.enabled(if: ReaderRole.ready, "needs scripts/pg.sh superuser-psql to create role engram_reader"))
    func permissionDeniedForARoleWithoutGrants() async throws {
        try await withIsolatedService { owner, driver in
            _ = try await owner.createUser(UserDraft(id: "alice"))
            var reader = driver.postgres
            reader.username = ReaderRole.name
            reader.password = ReaderRole.password
            reader.poolSize = 1

            // A service that migrates on first use reads the schema's migrations first.
            let migrating = try await PostgresDriver.withDriver(reader, logger: testLogger) { driver in
                await expectEngramError(.storageFailure) { try await service(driver).user("alice") }
            }
            #expect(migrating?.message.contains("Permission denied") == true, "\(String(describing: migrating))")

            // Reading the schema needs USAGE on it.
            let reading = try await PostgresDriver.withDriver(reader, logger: testLogger) { driver in
                await expectEngramError(.storageFailure) {
                    try await service(driver, migratesOnFirstUse: false).user("alice")
                }
            }
            #expect(reading?.message.contains("Permission denied") == true, "\(String(describing: reading))")
            #expect(reading?.message.contains("USAGE on the schema") == true)

            // The reader's health reports the same, and the owner is unaffected.
            let health = try await PostgresDriver.withDriver(reader, logger: testLogger) {
                await service($0).health()
            }
            #expect(health.status == "error")
            #expect(health.message.contains("Permission denied"), "\(health.message)")
            #expect(try await owner.user("alice").id == "alice")
        }
    }

    // MARK: pgvector missing

    /// A database created from `template0` has no extensions: the first operation refuses to migrate and
    /// names the statements to run; `engram doctor`'s health says the same.
    @Test func pgvectorMissing() async throws {
        try await withScratchDatabase(template: "template0") { configuration in
            let error = try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
                await expectEngramError(.storageFailure) {
                    try await service(driver).createUser(UserDraft(id: "alice"))
                }
            }
            let message = error?.message ?? ""
            #expect(message.contains("pgvector and pg_trgm extensions are missing"), "\(message)")
            #expect(message.contains("CREATE EXTENSION vector;"), "\(message)")
            #expect(message.contains("CREATE EXTENSION pg_trgm;"), "\(message)")
            #expect(message.contains(configuration.database), "\(message)")

            let health = try await PostgresDriver.withDriver(configuration, logger: testLogger) {
                await service($0).health()
            }
            #expect(health.status == "error")
            #expect(health.message.contains("CREATE EXTENSION vector;"), "\(health.message)")
            #expect(health.details["pgvector"] == "missing")

            // Past the check (say, a query run before migrating), an undefined `vector` type (42704) says the same.
            let undefined = try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
                await expectEngramError(.storageFailure) {
                    try await driver.transaction(.store) { connection in
                        try await connection.query("SELECT '[1,2,3]'::vector", logger: testLogger)
                    }
                }
            }
            #expect(undefined?.message.contains("CREATE EXTENSION vector;") == true, "\(String(describing: undefined))")
        }
    }

    // MARK: Embedding dimension

    /// A caller-supplied embedding of the wrong dimension is `invalid_vector`, names both dimensions and
    /// writes nothing.
    @Test func embeddingOfTheWrongDimensionIsRejected() async throws {
        try await withIsolatedService { store, _ in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let error = await expectEngramError(.invalidVector) {
                try await store.remember(MemoryDraft(userID: "alice", content: "tea at four", embedding: [1, 2, 3]))
            }
            #expect(error?.message.contains("3 components") == true, "\(String(describing: error))")
            #expect(error?.message.contains("384") == true)
            #expect(error?.message.contains("pass a vector of that dimension or omit it") == true)
            #expect(try await store.memories(userID: "alice", filters: .init(), limit: 10, offset: 0).isEmpty)
            #expect(try await store.user("alice").counters.memories == 0)
        }
    }

    /// Vectors are stored per model and dimension, so a service with a 64-dimension embedder works over a
    /// schema holding 384-dimension vectors (on a second driver sharing the first one's pool), and its vector
    /// search sees only its own model's vectors.
    @Test func storesWithDifferentDimensionsShareASchema() async throws {
        try await withIsolatedService { wide, driver in
            _ = try await wide.createUser(UserDraft(id: "alice"))
            let old = try await wide.remember(MemoryDraft(userID: "alice", content: "The cat sleeps on the red sofa"))
            let shared = try PostgresDriver(driver.postgres, client: driver.client, logger: testLogger)
            let narrow = service(shared, embedder: HashingEmbedder(dimension: 64))
            #expect(narrow.embedder.dimension == 64)
            let new = try await narrow.remember(
                MemoryDraft(userID: "alice", content: "The cat sleeps on the blue chair"))
            #expect(new.memory.id != old.memory.id)

            let results = try await narrow.recall(RecallQuery(userID: "alice", text: "cat sleeps", k: 10))
            let byID = Dictionary(results.map { ($0.memory.id, $0.matchedBy) }, uniquingKeysWith: { $0.union($1) })
            #expect(byID[new.memory.id]?.contains("vector") == true, "\(byID)")
            // The 384-dimension memory may match by text, never by the 64-dimension vector search.
            #expect(byID[old.memory.id]?.contains("vector") != true, "\(byID)")

            let wideResults = try await wide.recall(RecallQuery(userID: "alice", text: "cat sleeps", k: 10))
            let wideByID = Dictionary(
                wideResults.map { ($0.memory.id, $0.matchedBy) }, uniquingKeysWith: { $0.union($1) })
            #expect(wideByID[old.memory.id]?.contains("vector") == true, "\(wideByID)")
            #expect(wideByID[new.memory.id]?.contains("vector") != true, "\(wideByID)")
        }
    }

    // MARK: Too many connections

    /// A database with `CONNECTION LIMIT 1` (set by its owner, the `engram` role) whose one connection is
    /// taken: opening another fails with SQLSTATE 53300 and a message naming the pool size setting.
    @Test func tooManyConnections() async throws {
        try await withScratchDatabase(template: "template1") { configuration in
            try await adminQuery("ALTER DATABASE \(configuration.database) CONNECTION LIMIT 1")
            var limited = configuration
            limited.poolSize = 3
            let held = try await readable {
                try await PostgresConnection.connect(
                    configuration: PostgresDriver.connectionConfiguration(limited, purpose: "test"), id: 1,
                    logger: testLogger)
            }
            do {
                let error = try await PostgresDriver.withDriver(limited, logger: testLogger) { driver in
                    await expectEngramError(.storageFailure) { try await driver.checkConnection() }
                }
                #expect(error?.message.contains("too many connections") == true, "\(String(describing: error))")
                #expect(error?.message.contains("pool_size") == true)
                #expect(error?.message.contains("max_connections") == true)

                let health = try await PostgresDriver.withDriver(limited, logger: testLogger) {
                    await service($0).health()
                }
                #expect(health.status == "error")
                #expect(health.message.contains("too many connections"), "\(health.message)")
                try await held.close()
            } catch {
                try? await held.close()
                throw error
            }
            // With the connection given back, the same configuration works.
            try await PostgresDriver.withDriver(limited, logger: testLogger) { driver in
                try await driver.checkConnection()
            }
        }
    }

    /// During an outage the pool keeps trying for a minute, then gives up; the error says what to do.
    @Test func aPoolThatGivesUpConnectingSaysHowToFixIt() throws {
        var configuration = try isolatedConfiguration()
        configuration.endpoint = .tcp(host: "127.0.0.1", port: 1)
        // Translating needs no running pool: the driver is only constructed.
        let driver = try PostgresDriver(configuration, logger: testLogger)
        let error = driver.translate(ConnectionPoolError.connectionCreationCircuitBreakerTripped)
        #expect(error.code == .databaseUnavailable)
        #expect(error.message.contains("Cannot connect to PostgreSQL at 127.0.0.1:1"), "\(error.message)")
        #expect(error.message.contains("scripts/pg.sh start"))
    }

    /// The SQLSTATEs the driver maps to a message that says what to do.
    @Test func messagesForTroubleshootingStates() {
        let cases: [(state: String, code: EngramError.Code, text: String)] = [
            ("42501", .storageFailure, "Permission denied"), ("42704", .storageFailure, "CREATE EXTENSION vector;"),
            ("53300", .storageFailure, "pool_size"), ("3D000", .storageFailure, "engram init"),
            ("28P01", .storageFailure, "password"), ("40001", .storageFailure, "retry"),
            ("57P01", .databaseUnavailable, "shutting down or restarting; retry in a moment"),
            ("57P03", .databaseUnavailable, "starting up or in recovery; retry shortly"),
            ("08000", .databaseUnavailable, "retry"), ("08003", .databaseUnavailable, "retry"),
            ("08006", .databaseUnavailable, "retry"),
        ]
        for (state, code, text) in cases {
            let error = PostgresErrors.engramError(sqlState: state, database: "engram")
            #expect(error.code == code, "\(state)")
            #expect(error.message.contains(text), "\(state): \(error.message)")
        }
    }
}

// MARK: Support

/// Runs `body` with a configuration on a new database made by the `engram` role from `template`, dropping
/// the database (and any connection left to it) afterwards.
private func withScratchDatabase(
    template: String, _ body: @Sendable (PostgresConfiguration) async throws -> Void
) async throws {
    var configuration = try isolatedConfiguration()
    configuration.database = "engram_t_" + configuration.schema.dropFirst(2)
    try await adminQuery("CREATE DATABASE \(configuration.database) TEMPLATE \(template)")
    do {
        try await body(configuration)
    } catch {
        try? await adminQuery("DROP DATABASE IF EXISTS \(configuration.database) WITH (FORCE)")
        throw error
    }
    try await adminQuery("DROP DATABASE IF EXISTS \(configuration.database) WITH (FORCE)")
}

/// Runs one statement as the test URL's role on its database, on a connection of its own (`CREATE DATABASE`
/// cannot run in a transaction).
private func adminQuery(_ sql: String) async throws {
    let configuration = try PostgresConfiguration(url: try #require(testDatabaseURL))
    let connection = try await readable {
        try await PostgresConnection.connect(
            configuration: PostgresDriver.connectionConfiguration(configuration, purpose: "test"), id: 2,
            logger: testLogger)
    }
    do {
        try await readable { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: testLogger) }
    } catch {
        try? await connection.close()
        throw error
    }
    try await connection.close()
}

/// A login role with no privileges beyond PUBLIC's, created once per test run by the superuser through
/// `scripts/pg.sh superuser-psql` (the `engram` role lacks CREATEROLE). `ready` is false, and the test that
/// needs it is skipped, when the script or the superuser is not reachable.
private enum ReaderRole {
    static let name = "engram_reader"
    static let password = "reader"

    static let ready: Bool = {
        guard serverAvailable else { return false }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/pg.sh")
        guard FileManager.default.isExecutableFile(atPath: script.path) else { return false }
        let sql = """
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(name)') THEN
                    CREATE ROLE \(name) LOGIN PASSWORD '\(password)';
                END IF;
            END $$
            """
        let process = Process()
        process.executableURL = script
        process.arguments = ["superuser-psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return false
        }
        return process.terminationStatus == 0
    }()
}
