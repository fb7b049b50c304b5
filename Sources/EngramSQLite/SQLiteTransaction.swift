import EngramCore
import Foundation
import GRDB

/// The row operations of one SQLite transaction (``StorageTransaction``): each runs its statements on the
/// transaction's connection through the ``SQLiteSession``.
///
/// It also keeps track of the vectors the transaction changes, so that the driver can update its in-memory
/// matrices once the transaction commits (``VectorCache``).
final class SQLiteTransaction {
    let session: SQLiteSession
    let driver: SQLiteDriver
    /// Vector changes per user, applied to the cache after commit.
    private var changes: [String: VectorChange] = [:]
    /// Whether every cached matrix must be dropped after commit.
    private var invalidatesAll = false
    /// Whether to truncate the write-ahead log after commit (after an erasure).
    var checkpointsAfterCommit = false

    /// What the transaction did to one user's vectors.
    struct VectorChange {
        /// The user's vector version before the transaction's first change.
        var before: Int64
        /// The version after its last change, read just before commit.
        var after: Int64 = 0
        var upserts: [EmbeddingModel: [(Int64, [Float])]] = [:]
        var removals: [Int64] = []
        /// The change cannot be described row by row: drop the user's matrices.
        var invalidate = false
    }

    init(session: SQLiteSession, driver: SQLiteDriver) {
        self.session = session
        self.driver = driver
    }

    /// Runs `work` on the transaction's connection.
    @discardableResult
    func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await session.run(work)
    }

    /// Notes that the transaction is about to change the user's vectors: reads the version to compare later.
    func willChangeVectors(of userID: String) async throws {
        guard changes[userID] == nil else { return }
        changes[userID] = VectorChange(before: try await run { db in try VectorCache.version(db, userID: userID) })
    }

    /// Records vectors written for the user (by row number and model) and rows whose vectors were removed.
    func recordVectors(
        of userID: String, upserts: [EmbeddingModel: [(Int64, [Float])]] = [:], removals: [Int64] = []
    ) {
        for (model, rows) in upserts { changes[userID]?.upserts[model, default: []] += rows }
        changes[userID]?.removals += removals
    }

    /// The user's matrices must be reloaded after commit.
    func invalidateVectors(of userID: String) {
        if changes[userID] == nil { changes[userID] = VectorChange(before: -1) }
        changes[userID]?.invalidate = true
    }

    /// Every matrix must be reloaded after commit.
    func invalidateAllVectors() { invalidatesAll = true }

    /// Reads the version after the transaction's changes, inside it.
    func prepareCommit() async throws {
        let users = changes.filter { !$0.value.invalidate }.map(\.key)
        guard !users.isEmpty else { return }
        let versions = try await run { db in
            try users.map { ($0, try VectorCache.version(db, userID: $0)) }
        }
        for (userID, version) in versions { changes[userID]?.after = version }
    }

    /// Applies the committed changes to the driver's matrices, and truncates the write-ahead log when asked.
    func didCommit() async {
        if checkpointsAfterCommit {
            do {
                try await driver.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            } catch {
                driver.logger.warning("cannot truncate the write-ahead log", metadata: ["error": "\(type(of: error))"])
            }
        }
        if invalidatesAll {
            driver.averageLengths.invalidateAll()
            return driver.vectors.invalidateAll()
        }
        for (userID, change) in changes {
            if change.invalidate {
                driver.averageLengths.invalidate(userID: userID)
                driver.vectors.invalidate(userID: userID)
            } else {
                driver.vectors.apply(
                    userID: userID, before: change.before, after: change.after, upserts: change.upserts,
                    removals: change.removals)
            }
        }
    }
}

extension Database {
    /// Every row of a query, through the connection's statement cache.
    func rows(_ sql: SQL) throws -> [Row] {
        try Row.fetchAll(self, SQLRequest<Row>(literal: sql, cached: true))
    }

    /// The first row of a query.
    func row(_ sql: SQL) throws -> Row? {
        try Row.fetchOne(self, SQLRequest<Row>(literal: sql, cached: true))
    }

    /// The first column of the first row of a query.
    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ sql: SQL, as type: T.Type = T.self) throws
        -> T?
    {
        try T.fetchOne(self, SQLRequest<T>(literal: sql, cached: true))
    }

    /// Inserts one row of `values` with `statement` (``InsertStatement``) through the statement cache.
    func insert(_ statement: InsertStatement, _ values: [(any DatabaseValueConvertible)?]) throws {
        try insert(statement, rows: [values])
    }

    /// Inserts `rows` with `statement` through the statement cache, many rows per statement (the hot inserts of a
    /// batch): an insert that reaches an FTS5 table or fires a trigger opens a statement savepoint, and FTS5 writes
    /// its pending terms to disk at each one, so a batch written a row at a time would write one index segment per
    /// row.
    func insert(_ statement: InsertStatement, rows: [[(any DatabaseValueConvertible)?]]) throws {
        var start = rows.startIndex
        while start < rows.endIndex {
            let (sql, count) = statement.sql(fitting: rows.endIndex - start)
            try cachedStatement(sql: sql).execute(arguments: StatementArguments(rows[start..<start + count].joined()))
            start += count
        }
    }

    /// Runs one statement through the statement cache; returns how many rows it changed.
    @discardableResult
    func run(_ sql: SQL) throws -> Int {
        let (text, arguments) = try sql.build(self)
        try cachedStatement(sql: text).execute(arguments: arguments)
        return changesCount
    }
}

/// The text of an `INSERT` into `table`, one `?` per column of each row: for 1, 2, 4 … ``maxRows`` rows, so that a
/// batch is written in a few statements whose text the statement cache keeps.
struct InsertStatement: Sendable {
    /// The most rows one statement inserts (`SQLITE_MAX_VARIABLE_NUMBER` is 32,766: 128 rows of up to 255 columns).
    static let maxRows = 128
    /// The statement for one row.
    var sql: String { texts[0] }
    /// The statements for 2⁰, 2¹ … ``maxRows`` rows.
    private let texts: [String]

    init(_ table: String, _ columns: [String]) {
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        let row = "(" + columns.map { _ in "?" }.joined(separator: ", ") + ")"
        texts = sequence(first: 1) { $0 < Self.maxRows ? $0 * 2 : nil }.map { count in
            head + repeatElement(row, count: count).joined(separator: ", ")
        }
    }

    /// The statement for the most rows, a power of two, that `remaining` rows (at least one) can fill.
    func sql(fitting remaining: Int) -> (sql: String, rows: Int) {
        let index = min(texts.count - 1, Int.bitWidth - 1 - remaining.leadingZeroBitCount)
        return (texts[index], 1 << index)
    }
}
