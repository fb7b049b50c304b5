import EngramCore
import Testing

@testable import EngramPostgres

@Suite struct PostgresConfigurationTests {
    @Test func aTCPURLIsParsedAndDecoded() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://eng%40ram:p%3Ass@db.local:6543/memory?sslmode=require&application_name=agent")
        #expect(configuration.endpoint == .tcp(host: "db.local", port: 6543))
        #expect(configuration.username == "eng@ram")
        #expect(configuration.password == "p:ss")
        #expect(configuration.database == "memory")
        #expect(configuration.tls == .require)
        #expect(configuration.applicationName == "agent")
        #expect(configuration.schema == "engram")
    }

    @Test func poolAndTimeoutSettingsComeFromTheURLAndReachThePool() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://u@h/db?pool_size=4&pool_min=2&connect_timeout=3&idle_timeout=120"
                + "&statement_timeout=2500&keepalive=15")
        #expect(configuration.poolSize == 4)
        #expect(configuration.minimumConnections == 2)
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.idleTimeout == .seconds(120))
        #expect(configuration.statementTimeout == .milliseconds(2500))
        #expect(configuration.keepAliveInterval == .seconds(15))
        let pool = PostgresDriver.clientConfiguration(configuration)
        #expect(pool.options.maximumConnections == 4)
        #expect(pool.options.minimumConnections == 2)
        #expect(pool.options.connectTimeout == .seconds(3))
        #expect(pool.options.connectionIdleTimeout == .seconds(120))
        #expect(pool.options.keepAliveBehavior?.frequency == .seconds(15))
        let parameters = Dictionary(uniqueKeysWithValues: pool.options.additionalStartupParameters)
        #expect(parameters["statement_timeout"] == "2500")
        #expect(parameters["application_name"] == "engram")
        let noKeepAlive = try PostgresConfiguration(url: "postgresql://u@h/db?keepalive=0")
        #expect(PostgresDriver.clientConfiguration(noKeepAlive).options.keepAliveBehavior == nil)
    }

    @Test(arguments: [
        "pool_size=0", "pool_size=ten", "pool_min=5&pool_size=2", "connect_timeout=-1", "statement_timeout=1.5",
    ])
    func badPoolSettingsAreRejected(query: String) async {
        let error = await expectEngramError(.invalidArgument) {
            try PostgresConfiguration(url: "postgresql://u@h/db?\(query)")
        }
        #expect(error?.message.contains("postgresql://") == true)
    }

    @Test func aUnixSocketURLUsesTheSocketInTheGivenFolder() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://engram:secret@/engram?host=/cloudsql/project:region:instance")
        #expect(configuration.endpoint == .unixSocket(path: "/cloudsql/project:region:instance/.s.PGSQL.5432"))
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgresql://h/db", "postgresql://u@h/", "postgresql://u@h/db?sslmode=sometimes",
        "postgresql://u@h/db?schema=Robert';DROP",
    ])
    func badURLsAreRejectedWithWhatToDo(url: String) async {
        let error = await expectEngramError(.invalidArgument) { try PostgresConfiguration(url: url) }
        #expect(error?.message.contains("postgresql://") == true || error?.message.contains("schema") == true)
    }

    @Test func migrationFilesSplitIntoStatementsKeepingFunctionBodiesWhole() throws {
        let migration = try Migration(
            fileName: "007_example.sql",
            text: """
                -- comment
                -- migrate:up
                CREATE TABLE a (x int);
                CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
                BEGIN
                    RETURN 1;
                END;
                $$;
                -- migrate:down
                DROP FUNCTION f();
                DROP TABLE a;
                """)
        #expect(migration.version == 7)
        #expect(migration.name == "example")
        let up = PostgresDriver.statements(migration.up)
        #expect(up.count == 2)
        #expect(up[1].hasPrefix("CREATE FUNCTION") && up[1].hasSuffix("$$;"))
        #expect(PostgresDriver.statements(migration.down) == ["DROP FUNCTION f();", "DROP TABLE a;"])
    }

    @Test func theBundledMigrationsParse() throws {
        let migrations = try PostgresDriver.bundledMigrations()
        #expect(migrations.first?.version == 1)
        #expect(migrations.allSatisfy { !PostgresDriver.statements($0.up).isEmpty })
    }

    @Test func aDriverIsMadeWithoutConnecting() throws {
        let driver = try PostgresDriver(try PostgresConfiguration(url: "postgresql://u@127.0.0.1:1/db"))
        #expect(driver.backend == "postgres")
        #expect(!driver.isReadOnly)
        #expect(driver.migrations.map(\.version) == (try PostgresDriver.bundledMigrations()).map(\.version))
        var unsafe = driver.postgres
        unsafe.schema = "Robert';DROP"
        #expect(throws: EngramError.self) { try PostgresDriver(unsafe) }
    }
}
