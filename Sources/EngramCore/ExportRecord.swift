import Foundation

/// A stored embedding: one per (memory, sector, model, dimension).
public struct StoredEmbedding: Sendable, Hashable, Codable {
    public var memoryID: String
    public var userID: String
    public var sector: Sector
    public var model: String
    public var dimension: Int
    public var vector: [Float]
    public var createdAt: Date

    public init(
        memoryID: String, userID: String, sector: Sector, model: String, dimension: Int, vector: [Float],
        createdAt: Date
    ) {
        self.memoryID = memoryID
        self.userID = userID
        self.sector = sector
        self.model = model
        self.dimension = dimension
        self.vector = vector
        self.createdAt = createdAt
    }
}

/// One row of one table, as exported and imported: a line `{"table": …, "row": {…}}` of JSON Lines.
public enum ExportRecord: Sendable, Hashable {
    case user(User)
    case agent(Agent)
    case module(Module)
    case session(Session)
    case message(Message)
    case workingFact(WorkingFact)
    case memory(Memory)
    case entityAlias(EntityAlias)
    case embedding(StoredEmbedding)
    case link(Link)
    case emotion(Emotion)
    case sessionState(SessionState)
    case feedback(Feedback)
    case audit(AuditEntry)

    /// The table the row belongs to.
    public var table: String { storageTable.rawValue }

    /// The table the row belongs to.
    public var storageTable: StorageTable {
        switch self {
        case .user: .users
        case .agent: .agents
        case .module: .modules
        case .session: .sessions
        case .message: .messages
        case .workingFact: .workingFacts
        case .memory: .memories
        case .entityAlias: .entityAliases
        case .embedding: .embeddings
        case .link: .links
        case .emotion: .emotions
        case .sessionState: .sessionState
        case .feedback: .feedback
        case .audit: .auditLog
        }
    }

    /// The user the row belongs to.
    public var userID: String {
        switch self {
        case .user(let row): row.id
        case .agent(let row): row.userID
        case .module(let row): row.userID
        case .session(let row): row.userID
        case .message(let row): row.userID
        case .workingFact(let row): row.userID
        case .memory(let row): row.userID
        case .entityAlias(let row): row.userID
        case .embedding(let row): row.userID
        case .link(let row): row.userID
        case .emotion(let row): row.userID
        case .sessionState(let row): row.userID
        case .feedback(let row): row.userID
        case .audit(let row): row.userID
        }
    }
}

/// Reads and writes ``ExportRecord``s as JSON Lines. Dates are integer milliseconds since 1970.
public enum ExportCodec {
    private struct Envelope<Row: Codable>: Codable {
        var table: String
        var row: Row
    }

    private struct TableOnly: Decodable {
        var table: String
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }

    private static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }

    /// One line of JSON, without the newline.
    public static func line(_ record: ExportRecord) throws -> String {
        let encoder = encoder()
        let data: Data
        switch record {
        case .user(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .agent(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .module(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .session(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .message(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .workingFact(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .memory(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .entityAlias(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .embedding(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .link(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .emotion(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .sessionState(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .feedback(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        case .audit(let row): data = try encoder.encode(Envelope(table: record.table, row: row))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses one line; a malformed line throws `malformed_import` naming `lineNumber`.
    public static func record(_ line: String, lineNumber: Int) throws -> ExportRecord {
        let data = Data(line.utf8)
        let decoder = decoder()
        func malformed(_ why: String) -> EngramError {
            EngramError(.malformedImport, "Line \(lineNumber) \(why); nothing was imported. Fix or remove that line.")
        }
        guard let table = try? decoder.decode(TableOnly.self, from: data).table else {
            throw malformed("is not a JSON object with a \"table\" field")
        }
        func row<Row: Codable>(_: Row.Type) throws -> Row {
            do {
                return try decoder.decode(Envelope<Row>.self, from: data).row
            } catch {
                throw malformed("has a \"row\" that does not match the \(table) table")
            }
        }
        switch table {
        case "users": return .user(try row(User.self))
        case "agents": return .agent(try row(Agent.self))
        case "modules": return .module(try row(Module.self))
        case "sessions": return .session(try row(Session.self))
        case "messages": return .message(try row(Message.self))
        case "working_facts": return .workingFact(try row(WorkingFact.self))
        case "memories": return .memory(try row(Memory.self))
        case "entity_aliases": return .entityAlias(try row(EntityAlias.self))
        case "embeddings": return .embedding(try row(StoredEmbedding.self))
        case "links": return .link(try row(Link.self))
        case "emotions": return .emotion(try row(Emotion.self))
        case "session_state": return .sessionState(try row(SessionState.self))
        case "feedback": return .feedback(try row(Feedback.self))
        case "audit_log": return .audit(try row(AuditEntry.self))
        default: throw malformed("names an unknown table")
        }
    }
}

/// What an import wrote: rows per table, and how many memories it embedded because the file lacked their vectors.
public struct ImportReport: Sendable, Hashable, Codable {
    public var imported: [String: Int]
    /// Memories that came without a vector of a model the store writes, and were embedded during the import.
    public var embedded: Int

    public init(imported: [String: Int], embedded: Int = 0) {
        self.imported = imported
        self.embedded = embedded
    }

    /// Rows imported across all tables.
    public var total: Int { imported.values.reduce(0, +) }
}
