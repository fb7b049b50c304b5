/// How a driver reads its rows as records: what the orphan sweep needs to report the rows it deleted from the
/// tables of ``StorageTable/memoryReferences`` and ``StorageTable/sessionReferences``. Each driver's decoder
/// conforms with its own row type; which table holds which record is written once, here.
public protocol OrphanRowDecoding {
    associatedtype Row
    static func embedding(_ row: Row) throws -> StoredEmbedding
    static func emotion(_ row: Row) throws -> Emotion
    static func feedback(_ row: Row) throws -> Feedback
    static func link(_ row: Row) throws -> Link
    static func message(_ row: Row) throws -> Message
    static func state(_ row: Row) throws -> SessionState
    static func fact(_ row: Row) throws -> WorkingFact
}

extension OrphanRowDecoding {
    /// A row the orphan sweep deleted from `table`, as an export record.
    public static func orphan(of table: StorageTable, _ row: Row) throws -> ExportRecord {
        switch table {
        case .embeddings: .embedding(try embedding(row))
        case .emotions: .emotion(try emotion(row))
        case .feedback: .feedback(try feedback(row))
        case .links: .link(try link(row))
        case .messages: .message(try message(row))
        case .sessionState: .sessionState(try state(row))
        case .workingFacts: .workingFact(try fact(row))
        default: throw EngramError(.storageFailure, "The orphan sweep has no decoder for table \(table.rawValue).")
        }
    }
}
