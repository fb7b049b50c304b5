/// A store's answer to "are you working?": the connection test of `engram doctor` and `/health`, with seed 003's
/// fields (`status`, `database`, `version`, `host`, `port`, `message`) at the top level.
public struct StoreHealth: Sendable, Hashable, Codable {
    /// `ok` or `error`.
    public var status: String
    /// `sqlite` or `postgres`.
    public var backend: String
    /// The database file or name.
    public var database: String
    /// The database engine's version, such as `SQLite 3.40.1`.
    public var version: String
    /// The server's host (PostgreSQL); absent for a file.
    public var host: String?
    /// The server's port (PostgreSQL); absent for a file or a unix socket.
    public var port: Int?
    /// `Database connection successful`, or the first problem found and what to do about it.
    public var message: String
    /// The newest migration applied.
    public var schemaVersion: Int
    /// Migrations known to this build but not applied yet.
    public var pendingMigrations: [String]
    /// The embedder's model name.
    public var embeddingModel: String
    /// Backend-specific checks, such as `journal_mode` and `quick_check`.
    public var details: [String: String]

    public init(
        status: String, backend: String, database: String, version: String, host: String? = nil, port: Int? = nil,
        message: String = "", schemaVersion: Int, pendingMigrations: [String], embeddingModel: String,
        details: [String: String]
    ) {
        self.status = status
        self.backend = backend
        self.database = database
        self.version = version
        self.host = host
        self.port = port
        self.message = message
        self.schemaVersion = schemaVersion
        self.pendingMigrations = pendingMigrations
        self.embeddingModel = embeddingModel
        self.details = details
    }
}
