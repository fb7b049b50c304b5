/// The one error type of Engram: a stable machine-readable ``Code`` and a message that tells
/// the caller what to do. Messages never contain user content.
public struct EngramError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable error code, such as `memory_not_found`. Clients match on it; it never changes meaning.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A required text field is empty or only white space.
        public static let emptyContent = Code(rawValue: "empty_content")
        /// A text field is longer than the configured limit.
        public static let contentTooLarge = Code(rawValue: "content_too_large")
        /// A field has a value outside its allowed range or set.
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// A value is not one of an enumeration's cases.
        public static let invalidEnumValue = Code(rawValue: "invalid_enum_value")
        /// A vector has the wrong dimension or a non-finite component.
        public static let invalidVector = Code(rawValue: "invalid_vector")
        /// An identifier is empty, too long or has forbidden characters.
        public static let invalidIdentifier = Code(rawValue: "invalid_identifier")
        /// The user does not exist.
        public static let userNotFound = Code(rawValue: "user_not_found")
        /// The agent does not exist for this user.
        public static let agentNotFound = Code(rawValue: "agent_not_found")
        /// The session does not exist for this user.
        public static let sessionNotFound = Code(rawValue: "session_not_found")
        /// The memory does not exist for this user.
        public static let memoryNotFound = Code(rawValue: "memory_not_found")
        /// The message does not exist for this user.
        public static let messageNotFound = Code(rawValue: "message_not_found")
        /// The working fact does not exist for this user.
        public static let factNotFound = Code(rawValue: "fact_not_found")
        /// The link does not exist for this user.
        public static let linkNotFound = Code(rawValue: "link_not_found")
        /// A turn is dated before the last turn of its session; observe turns in order.
        public static let messageOutOfOrder = Code(rawValue: "message_out_of_order")
        /// The module does not exist for this user.
        public static let moduleNotFound = Code(rawValue: "module_not_found")
        /// The record already exists.
        public static let alreadyExists = Code(rawValue: "already_exists")
        /// A line of an import file is malformed; nothing was imported.
        public static let malformedImport = Code(rawValue: "malformed_import")
        /// The database schema is newer than this build of Engram understands.
        public static let schemaTooNew = Code(rawValue: "schema_too_new")
        /// The database has migrations this build ships but that are not applied, and may not be applied now.
        public static let schemaOutdated = Code(rawValue: "schema_outdated")
        /// No database exists at the given path (only `init` and writes create one).
        public static let databaseNotFound = Code(rawValue: "database_not_found")
        /// The database was opened (or can only be opened) for reading, and the operation writes.
        public static let databaseReadOnly = Code(rawValue: "database_read_only")
        /// The file or schema holds data, but not Engram's; Engram refuses to touch it.
        public static let notEngramDatabase = Code(rawValue: "not_an_engram_database")
        /// The database cannot be reached (connection refused or closed, server shutting down or starting); retry.
        public static let databaseUnavailable = Code(rawValue: "database_unavailable")
        /// The request carries no API key, or one that does not exist or was revoked.
        public static let unauthenticated = Code(rawValue: "unauthenticated")
        /// The API key is valid but may not act on this user or operation (a user key naming another user).
        public static let permissionDenied = Code(rawValue: "permission_denied")
        /// The API key does not exist.
        public static let keyNotFound = Code(rawValue: "key_not_found")
        /// The request is not what the operation reads: not JSON, or JSON of another shape.
        public static let malformedRequest = Code(rawValue: "malformed_request")
        /// The request body is larger than the server accepts.
        public static let requestTooLarge = Code(rawValue: "request_too_large")
        /// The request names no route, or a route with another method.
        public static let routeNotFound = Code(rawValue: "route_not_found")
        /// The disk that holds the database is full; nothing was written. Free space and retry.
        public static let diskFull = Code(rawValue: "disk_full")
        /// Too many requests failed authentication from this client; wait (`Retry-After`) and send a valid key.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// The storage layer failed; the operation was rolled back.
        public static let storageFailure = Code(rawValue: "storage_failure")
    }

    /// The stable code.
    public let code: Code
    /// What went wrong and what to do about it. Contains no user data.
    public let message: String

    /// Creates an error with a code and an actionable message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension EngramError {
    static func notFound(_ code: Code, _ kind: String) -> EngramError {
        EngramError(code, "No \(kind) with this id exists for this user; check the id and the user.")
    }

    /// The user does not exist.
    public static let userNotFound = EngramError(
        .userNotFound, "No user with this id exists; create it first (engram init --user, or createUser).")
    /// The agent does not exist.
    public static let agentNotFound = notFound(.agentNotFound, "agent")
    /// The session does not exist.
    public static let sessionNotFound = notFound(.sessionNotFound, "session")
    /// The memory does not exist.
    public static let memoryNotFound = notFound(.memoryNotFound, "memory")
    /// A referenced message does not exist.
    public static let messageNotFound = notFound(.messageNotFound, "message")
    /// The working fact does not exist.
    public static let factNotFound = notFound(.factNotFound, "working fact")
    /// The link does not exist.
    public static let linkNotFound = notFound(.linkNotFound, "link")
    /// The module does not exist.
    public static let moduleNotFound = notFound(.moduleNotFound, "module")
    /// The API key does not exist.
    public static let keyNotFound = EngramError(
        .keyNotFound, "No API key with this id exists; list the keys (engram keys list) and check the id.")
    /// The secret is missing, malformed, unknown or revoked: one message for all, so that it tells nothing.
    public static let unauthenticated = EngramError(
        .unauthenticated, "The API key is not valid; send an active key as the bearer token (Authorization: Bearer …).")
}
