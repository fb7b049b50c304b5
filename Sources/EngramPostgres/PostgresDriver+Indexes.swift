import EngramCore
import Foundation
import PostgresNIO

/// Vector indexes: one partial index per embedding model and dimension (seed 001's operations), on an expression
/// that casts the dimensionless `vector` column to the model's dimension.
extension PostgresDriver {
    /// HNSW and IVFFlat index `vector` columns of at most this many dimensions; larger ones are searched exactly.
    static let maxIndexedDimension = 2000

    /// Creates each model's partial HNSW index unless it (or an IVFFlat index of the model) exists; each in its own
    /// whole-store transaction, never inside a user's.
    public func prepareVectorIndexes(for models: [EmbeddingModel]) async throws {
        for model in models { try await ensureVectorIndex(model: model.model, dimension: model.dimension) }
    }

    /// Creates the partial HNSW index of `model` and `dimension` unless this driver knows it exists.
    func ensureVectorIndex(model: String, dimension: Int) async throws {
        guard dimension > 0, dimension <= Self.maxIndexedDimension else { return }
        let name = Self.vectorIndexName(.hnsw, model: model, dimension: dimension)
        if vectorIndexes.withLock({ $0.contains(name) }) { return }
        if deferredVectorIndexes.withLock({ $0[EmbeddingModel(model: model, dimension: dimension)] != nil }) { return }
        let lockKey = "engram.vector_index.\(postgres.schema)"
        // An IVFFlat index built by rebuildVectorIndexes(method: .ivfflat) serves the model as well.
        let ivfflat = Self.vectorIndexName(.ivfflat, model: model, dimension: dimension)
        try await transaction(.store) { connection in
            // An existing index needs no DDL (which would take a share lock on the table, even when it exists).
            let exists = try await connection.first(
                "SELECT to_regclass(\(name)) IS NOT NULL OR to_regclass(\(ivfflat)) IS NOT NULL",
                within: self.deadlines, logger: self.logger
            ) { try $0.decode(Bool.self) }
            if exists == true { return }
            // Serialise index creation: concurrent CREATE INDEX IF NOT EXISTS of one name can collide.
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", within: self.deadlines, logger: self.logger)
            // The table may already hold many of the model's vectors (a bulk load was killed before it built the
            // index again): the build gets no statement deadline, as in rebuildVectorIndexes.
            var unbounded = self.deadlines
            unbounded.statement = nil
            try await connection.execute("SET LOCAL statement_timeout TO 0", within: unbounded, logger: self.logger)
            try await connection.execute(
                PostgresQuery(unsafeSQL: Self.vectorIndexDDL(.hnsw, model: model, dimension: dimension)),
                within: unbounded, logger: self.logger)
        }
        _ = vectorIndexes.withLock { $0.insert(name) }
    }

    /// Every HNSW and IVFFlat index of the `embeddings` table: its model, dimension, method, row count, size and
    /// scan count, by name.
    public func vectorIndexStatistics() async throws -> [VectorIndexStatistics] {
        let table = "\(postgres.schema).embeddings"
        return try await transaction(.store) { connection in
            var counts: [String: (model: String, dimension: Int, rows: Int)] = [:]
            for (model, dimension, rows) in try await self.vectorCounts(connection) {
                for method in VectorIndexMethod.allCases {
                    counts[Self.vectorIndexName(method, model: model, dimension: dimension)] = (model, dimension, rows)
                }
            }
            let rows = try await connection.rows(
                """
                SELECT c.relname::text, a.amname::text, pg_relation_size(c.oid), coalesce(s.idx_scan, 0),
                    coalesce(pg_get_expr(i.indpred, i.indrelid), ''), coalesce(array_to_string(c.reloptions, ','), ''),
                    i.indisvalid
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_am a ON a.oid = c.relam
                LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
                WHERE i.indrelid = to_regclass(\(table)) AND a.amname IN ('hnsw', 'ivfflat')
                ORDER BY c.relname
                """, within: self.deadlines, logger: self.logger
            ) { try $0.decode((String, String, Int64, Int64, String, String, Bool).self) }
            var result: [VectorIndexStatistics] = []
            for (name, method, size, scans, predicate, options, valid) in rows {
                guard let method = VectorIndexMethod(rawValue: method) else { continue }
                let known = counts[name]
                let lists = options.split(separator: ",").first { $0.hasPrefix("lists=") }
                    .flatMap { Int($0.dropFirst("lists=".count)) }
                result.append(
                    VectorIndexStatistics(
                        name: name, model: known?.model ?? Self.predicateModel(predicate) ?? "",
                        dimension: known?.dimension ?? Self.predicateDimension(predicate) ?? 0, method: method,
                        rows: known?.rows ?? 0, sizeBytes: size, scans: scans, lists: lists, isValid: valid))
            }
            return result
        }
    }

    /// Rebuilds one vector index per embedding model and dimension in the table (seed 001's
    /// `rebuild_vector_indexes`), with `method`, or with the method of the model's current index (HNSW when it has
    /// none); returns the statistics of every vector index afterwards.
    ///
    /// HNSW reindexes the model's HNSW index (`REINDEX INDEX CONCURRENTLY`), or creates it, and drops its IVFFlat
    /// index; IVFFlat builds an index with `lists ≈ √rows` and drops the HNSW one. Every statement runs outside a
    /// transaction and concurrently, so reads and writes go on meanwhile. Dimensions above pgvector's 2,000 are
    /// skipped: they are searched exactly, without an index.
    public func rebuildVectorIndexes(method: VectorIndexMethod?) async throws -> [VectorIndexStatistics] {
        let pairs = try await transaction(.store) { connection in try await self.vectorCounts(connection) }
        let current = Dictionary(
            try await vectorIndexStatistics().map {
                (EmbeddingModel(model: $0.model, dimension: $0.dimension), $0.method)
            },
            uniquingKeysWith: { first, second in first == .hnsw ? first : second })
        try await withUnboundedStatements { connection, deadlines in
            for (model, dimension, rows) in pairs where dimension > 0 && dimension <= Self.maxIndexedDimension {
                let chosen = method ?? current[EmbeddingModel(model: model, dimension: dimension)] ?? .hnsw
                try await self.rebuild(
                    connection, within: deadlines, method: chosen, model: model, dimension: dimension, rows: rows)
            }
        }
        return try await vectorIndexStatistics()
    }

    /// Drops the HNSW or IVFFlat index of each model (outside a transaction and concurrently: reads and writes go
    /// on) and marks the model deferred, so that ``prepareVectorIndexes(for:)`` does not create it again until
    /// ``buildDeferredVectorIndexes()`` builds it, with the method it had.
    public func deferVectorIndexes(for models: [EmbeddingModel]) async throws {
        let models = models.filter { $0.dimension > 0 && $0.dimension <= Self.maxIndexedDimension }
        guard !models.isEmpty else { return }
        let methods = Dictionary(
            try await vectorIndexStatistics().map {
                (EmbeddingModel(model: $0.model, dimension: $0.dimension), $0.method)
            },
            uniquingKeysWith: { first, second in first == .hnsw ? first : second })
        // Marked before the drop: a write of this process meanwhile must not create the index again.
        deferredVectorIndexes.withLock { deferred in
            for model in models where deferred[model] == nil { deferred[model] = methods[model] ?? .hnsw }
        }
        let names = models.flatMap { model in
            VectorIndexMethod.allCases.map { Self.vectorIndexName($0, model: model.model, dimension: model.dimension) }
        }
        vectorIndexes.withLock { $0.subtract(names) }
        try await withUnboundedStatements { connection, deadlines in
            for name in names {
                try await self.execute(
                    connection, deadlines, "DROP INDEX CONCURRENTLY IF EXISTS \(self.postgres.schema).\(name)")
            }
        }
    }

    /// Builds each deferred model's index over every vector stored (concurrently), with the method it had, then
    /// analyzes the tables the load wrote.
    public func buildDeferredVectorIndexes() async throws {
        let deferred = deferredVectorIndexes.withLock { $0 }.sorted {
            ($0.key.model, $0.key.dimension) < ($1.key.model, $1.key.dimension)
        }
        guard !deferred.isEmpty else { return }
        var rows: [EmbeddingModel: Int] = [:]
        for (model, dimension, count) in try await transaction(.store, { try await self.vectorCounts($0) }) {
            rows[EmbeddingModel(model: model, dimension: dimension)] = count
        }
        try await withUnboundedStatements { connection, deadlines in
            for (model, method) in deferred {
                try await self.rebuild(
                    connection, within: deadlines, method: method, model: model.model, dimension: model.dimension,
                    rows: rows[model] ?? 0)
                _ = self.deferredVectorIndexes.withLock { $0.removeValue(forKey: model) }
            }
            // Fresh statistics, as after any bulk load: autovacuum may take minutes to analyze the new rows, and
            // until it does the planner misjudges recall's queries.
            try await self.execute(
                connection, deadlines, "ANALYZE \(self.postgres.schema).memories, \(self.postgres.schema).embeddings")
        }
    }

    /// Runs `body` on a leased connection whose statements have no deadline: index builds may take longer than the
    /// pool's statement timeout (a closed connection still ends them). Errors are translated.
    private func withUnboundedStatements(
        _ body: (PostgresConnection, PostgresDeadlines) async throws -> Void
    ) async throws {
        do {
            try await withLease { connection in
                var deadlines = self.deadlines
                deadlines.statement = nil
                try await connection.execute("SET statement_timeout TO 0", within: deadlines, logger: self.logger)
                do {
                    try await body(connection, deadlines)
                } catch {
                    _ = try? await connection.execute("RESET statement_timeout", within: deadlines, logger: self.logger)
                    throw error
                }
                try await connection.execute("RESET statement_timeout", within: deadlines, logger: self.logger)
            }
        } catch {
            throw translate(error)
        }
    }

    /// Builds the index of `method` for one model and dimension and drops the other method's index.
    private func rebuild(
        _ connection: PostgresConnection, within deadlines: PostgresDeadlines, method: VectorIndexMethod,
        model: String, dimension: Int, rows: Int
    ) async throws {
        let schema = postgres.schema
        let name = Self.vectorIndexName(method, model: model, dimension: dimension)
        let other = Self.vectorIndexName(method == .hnsw ? .ivfflat : .hnsw, model: model, dimension: dimension)
        let state = try await connection.first(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(\("\(schema).\(name)"))",
            within: deadlines, logger: logger
        ) { try $0.decode(Bool.self) }
        switch (method, state) {
        case (.hnsw, true?):
            try await execute(connection, deadlines, "REINDEX INDEX CONCURRENTLY \(schema).\(name)")
        default:
            // IVFFlat's lists follow the row count, and an invalid index (an interrupted build) cannot be reindexed
            // concurrently: build either afresh.
            try await execute(connection, deadlines, "DROP INDEX CONCURRENTLY IF EXISTS \(schema).\(name)")
            try await execute(
                connection, deadlines,
                Self.vectorIndexDDL(method, model: model, dimension: dimension, rows: rows, schema: schema)
                    .replacingOccurrences(of: "CREATE INDEX IF NOT EXISTS", with: "CREATE INDEX CONCURRENTLY"))
        }
        try await execute(connection, deadlines, "DROP INDEX CONCURRENTLY IF EXISTS \(schema).\(other)")
        _ = vectorIndexes.withLock { $0.insert(Self.vectorIndexName(.hnsw, model: model, dimension: dimension)) }
    }

    /// Runs DDL, which takes no binds (its identifiers are the validated schema and index names).
    private func execute(_ connection: PostgresConnection, _ deadlines: PostgresDeadlines, _ sql: String) async throws {
        try await connection.execute(PostgresQuery(unsafeSQL: sql), within: deadlines, logger: logger)
    }

    /// The models and dimensions of the stored vectors, with how many vectors each has (needs whole-store access).
    private func vectorCounts(_ connection: PostgresConnection) async throws -> [(String, Int, Int)] {
        try await connection.rows(
            "SELECT model, dimension, count(*) FROM embeddings GROUP BY model, dimension ORDER BY model, dimension",
            within: deadlines, logger: logger
        ) { row in
            let (model, dimension, rows) = try row.decode((String, Int, Int).self)
            return (model, dimension, rows)
        }
    }

    /// The name of the partial index of `method` for one model and dimension.
    static func vectorIndexName(_ method: VectorIndexMethod, model: String, dimension: Int) -> String {
        "embeddings_\(method.rawValue)_\(dimension)_\(ContentHash.hex(Data(model.utf8)).prefix(8))"
    }

    /// The `CREATE INDEX IF NOT EXISTS` statement of one model's partial index (in `schema`, else unqualified).
    /// IVFFlat gets `lists ≈ √rows` (at least 1). DDL takes no binds, so the model is a quoted literal.
    static func vectorIndexDDL(
        _ method: VectorIndexMethod, model: String, dimension: Int, rows: Int = 0, schema: String? = nil
    ) -> String {
        let name = vectorIndexName(method, model: model, dimension: dimension)
        let table = schema.map { "\($0).embeddings" } ?? "embeddings"
        let literal = "'" + model.replacingOccurrences(of: "'", with: "''") + "'"
        let options =
            switch method {
            case .hnsw: ""
            case .ivfflat: " WITH (lists = \(max(1, Int(Double(rows).squareRoot().rounded()))))"
            }
        return """
            CREATE INDEX IF NOT EXISTS \(name) ON \(table)
            USING \(method.rawValue) ((embedding::vector(\(dimension))) vector_cosine_ops)\(options)
            WHERE model = \(literal) AND dimension = \(dimension)
            """
    }

    /// The model in a partial-index predicate such as `((model = 'm'::text) AND (dimension = 3))`.
    static func predicateModel(_ predicate: String) -> String? {
        guard let start = predicate.range(of: "model = '")?.upperBound else { return nil }
        var model = ""
        var index = start
        while index < predicate.endIndex {
            let character = predicate[index]
            let next = predicate.index(after: index)
            if character == "'" {
                guard next < predicate.endIndex, predicate[next] == "'" else { return model }
                model.append("'")
                index = predicate.index(after: next)
            } else {
                model.append(character)
                index = next
            }
        }
        return nil
    }

    /// The dimension in a partial-index predicate.
    static func predicateDimension(_ predicate: String) -> Int? {
        guard let start = predicate.range(of: "dimension = ")?.upperBound else { return nil }
        return Int(predicate[start...].prefix { $0.isNumber })
    }
}
