import EngramCore
import Foundation

/// Where and how to reach PostgreSQL: built from a `DATABASE_URL` plus pool settings. A `Sendable` value.
public struct PostgresConfiguration: Sendable, Hashable {
    /// How to reach the server.
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        /// A unix socket directory (as libpq's `host=/path`) and port, or a socket file path.
        case unixSocket(path: String)
    }

    /// TLS use, from `sslmode`.
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode = .prefer
    /// The schema holding Engram's tables; created by `engram init`/`migrate up`.
    public var schema: String = "engram"
    /// The most connections the pool opens (URL `pool_size`).
    public var poolSize: Int = 10
    /// Connections the pool keeps open even when idle (URL `pool_min`).
    public var minimumConnections: Int = 0
    /// How long opening a connection may take (URL `connect_timeout`, seconds, as libpq); with `statementTimeout`, also
    /// bounds the driver's waits for a pooled connection and for a statement's answer (``PostgresDeadlines``).
    public var connectTimeout: Duration = .seconds(10)
    /// Idle connections above the minimum close after this long (URL `idle_timeout`, seconds): the pool's recycling.
    public var idleTimeout: Duration = .seconds(60)
    /// Idle connections are pinged with `SELECT 1` this often and replaced when dead: the pool's pre-ping (URL
    /// `keepalive`, seconds; 0 turns it off). A connection the server closes between pings can still be leased just
    /// as it closes; its statements then fail at once with `database_unavailable` (``PostgresDeadlines``).
    public var keepAliveInterval: Duration? = .seconds(30)
    /// Each statement is cancelled by the server after this long (URL `statement_timeout`, milliseconds; 0: never).
    /// The driver stops waiting for an answer `connectTimeout` later and closes the connection, and gives up waiting
    /// for a pooled connection once the pool has handed out none for their sum (``PostgresDeadlines``).
    public var statementTimeout: Duration = .seconds(30)
    public var applicationName: String = "engram"

    public init(endpoint: Endpoint, username: String, password: String?, database: String) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `postgresql://user:password@host:port/database?sslmode=…&host=/socket/dir&application_name=…`.
    /// Percent-encoded parts are decoded. Throws `invalid_argument` with what to fix.
    public init(url: String) throws {
        func invalid(_ why: String) -> EngramError {
            EngramError(
                .invalidArgument,
                "DATABASE_URL \(why); use postgresql://user:password@host:5432/database (or ?host=/socket/dir).")
        }
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, scheme == "postgresql" || scheme == "postgres"
        else { throw invalid("is not a postgresql:// URL") }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw invalid("names no database") }
        guard let username = components.user, !username.isEmpty else { throw invalid("names no user") }
        let port = components.port ?? Int(query["port"] ?? "") ?? 5432
        let endpoint: Endpoint
        if let socket = query["host"], socket.hasPrefix("/") {
            endpoint = .unixSocket(path: socket.hasSuffix(".s.PGSQL.\(port)") ? socket : socket + "/.s.PGSQL.\(port)")
        } else if let host = components.host, !host.isEmpty {
            endpoint = .tcp(host: host, port: port)
        } else {
            throw invalid("names no host")
        }
        self.init(
            endpoint: endpoint, username: username.removingPercentEncoding ?? username,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database)
        if let mode = query["sslmode"] {
            switch mode {
            case "disable", "allow": tls = .disable
            case "prefer": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            default: throw invalid("has an unknown sslmode (use disable, prefer or require)")
            }
        }
        if let name = query["application_name"], !name.isEmpty { applicationName = name }
        if let schema = query["schema"], !schema.isEmpty { self.schema = schema }
        func number(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = query[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw invalid("has \(name)=\(text); use a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        if let value = try number("pool_size", in: 1...1_000) { poolSize = value }
        if let value = try number("pool_min", in: 0...1_000) { minimumConnections = value }
        guard minimumConnections <= poolSize else { throw invalid("has pool_min above pool_size") }
        if let value = try number("connect_timeout", in: 1...3_600) { connectTimeout = .seconds(value) }
        if let value = try number("idle_timeout", in: 1...86_400) { idleTimeout = .seconds(value) }
        if let value = try number("statement_timeout", in: 0...86_400_000) { statementTimeout = .milliseconds(value) }
        if let value = try number("keepalive", in: 0...86_400) {
            keepAliveInterval = value == 0 ? nil : .seconds(value)
        }
        try Self.checkIdentifier(self.schema, field: "schema")
    }

    /// A schema or database name Engram will interpolate as an identifier: letters, digits, `_`, ≤ 63 bytes.
    static func checkIdentifier(_ name: String, field: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5f
        }
        guard allowed, !name.isEmpty, name.utf8.count <= 63, !(name.first?.isNumber ?? true) else {
            throw EngramError(
                .invalidArgument,
                "The \(field) name must be lower-case letters, digits and _ (at most 63, not starting with a digit).")
        }
    }

    /// Where the server is, for health reports: host and port, or the socket path.
    public var hostDescription: (host: String, port: Int?) {
        switch endpoint {
        case .tcp(let host, let port): (host, port)
        case .unixSocket(let path): (path, nil)
        }
    }
}
