import Foundation
import Logging
import Synchronization

/// Everything Engram does with memory, written once over a ``StorageDriver``: validation, ids, the clock, audit
/// lines, the remember and merge rules, recall orchestration and scoring, decay, expiry, model switches, erasure,
/// export and import. The CLI, HTTP and MCP call only this type.
///
/// Every operation is scoped by a user id and never reads or writes another user's rows. Every mutating operation
/// runs in one transaction: when it throws, the store is as it was. Invalid input throws an ``EngramError`` with a
/// stable code before anything is written.
public final class MemoryService: Sendable {
    /// Where the rows live.
    public let driver: any StorageDriver
    /// The configured embedder, and the others this process can embed queries with during a model switch.
    public let embedders: EmbedderSet
    /// Limits, decay and recall weights.
    public let configuration: EngramConfiguration
    /// Finds facts, entities, emotion and cues in observed turns.
    public let extractor: any FactExtractor
    /// Summarises finished sessions into episodes.
    public let summarizer: any EpisodeSummarizer
    let validator: InputValidator
    let scorer: RecallScorer
    /// The embeddings of the sector prototypes, per model, made on first use.
    let sectorPrototypes = Mutex<[EmbeddingModel: [Sector: [[Float]]]]>([:])
    let clock: any WallClock
    let logger: Logger
    /// Whether the first operation applies pending migrations (otherwise it only checks that there are none).
    let migratesOnFirstUse: Bool
    /// Whether the schema was checked (and migrated) for this service.
    let isReady = Mutex(false)
    /// The active embedding model and when it was read: re-read after a second, so that a switch made by another
    /// process is seen promptly.
    private let activeModelCache = Mutex<(model: EmbeddingModel, read: ContinuousClock.Instant)?>(nil)
    /// Recall's reinforcement waiting to be written.
    let reinforcements = Mutex(ReinforcementQueue())
    /// How many of each user's memories recall's terms match, for the terms' weights.
    let termStatistics = TermStatistics()

    /// A service over `driver`. `otherEmbedders` are embedders of models the store may still rank with while a
    /// switch to `embedder` is under way (see ``reembed(batchSize:prune:progress:)``).
    public init(
        driver: any StorageDriver, configuration: EngramConfiguration = .init(),
        embedder: any Embedder = HashingEmbedder(), otherEmbedders: [any Embedder] = [],
        extractor: any FactExtractor = HeuristicExtractor(), summarizer: any EpisodeSummarizer = HeuristicSummarizer(),
        clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "engram"), migratesOnFirstUse: Bool = true
    ) {
        self.driver = driver
        self.configuration = configuration
        self.embedders = EmbedderSet(configured: embedder, others: otherEmbedders)
        self.extractor = extractor
        self.summarizer = summarizer
        self.validator = InputValidator(configuration: configuration)
        self.scorer = RecallScorer(configuration: configuration.recall, decay: configuration.decay)
        self.clock = clock
        self.logger = logger
        self.migratesOnFirstUse = migratesOnFirstUse
    }

    /// The embedder every new vector is made with.
    public var embedder: any Embedder { embedders.configured }

    /// The current time as stored (to the millisecond).
    func now() -> Date { clock.now().roundedToMillisecond }

    /// A new id: time-ordered, random within a millisecond (``Foundation/UUID/newID()``).
    func newID() -> String { UUID.newID() }
}

// MARK: - Transactions

extension MemoryService {
    /// Runs `body` in a read transaction, once the schema is ready and (unless `waitingForRecalls` is false) the
    /// reinforcement of earlier recalls is written.
    func read<T: Sendable>(
        _ scope: StorageScope, waitingForRecalls: Bool = true, _ body: (any StorageTransaction) async throws -> T
    ) async throws -> T {
        try await ready()
        if waitingForRecalls { await flushReinforcements() }
        return try await driver.read(scope, body)
    }

    /// Runs `body` in a write transaction, once the schema is ready and the reinforcement of earlier recalls is
    /// written.
    func write<T: Sendable>(
        _ scope: StorageScope, _ body: (any StorageTransaction) async throws -> T
    ) async throws -> T {
        try await ready()
        await flushReinforcements()
        return try await driver.write(scope, body)
    }

    /// Makes the schema ready now rather than on the first operation (a server does this before it says ready):
    /// applies pending migrations, or says how when it may not.
    public func prepare() async throws {
        try await ready()
    }

    /// Checks the schema once per service: applies pending migrations (or, when it may not, says how), and
    /// refuses a database written by a newer Engram or whose applied migrations were edited.
    func ready() async throws {
        if isReady.withLock({ $0 }) { return }
        let status = try await migrationStatus()
        try Self.checkApplied(status)
        if status.contains(where: { !$0.applied }) {
            guard migratesOnFirstUse, !driver.isReadOnly else {
                throw EngramError(
                    .schemaOutdated,
                    "The database needs migrations this build ships; run engram migrate up (on a writable database).")
            }
            try await migrateUp()
        }
        isReady.withLock { $0 = true }
    }

    /// Throws unless every applied migration is one this build knows, unchanged.
    static func checkApplied(_ status: [MigrationStatus]) throws {
        if status.contains(where: { $0.applied && !$0.known }) {
            throw EngramError(
                .schemaTooNew,
                "The database was written by a newer Engram (it has migrations this build does not know); upgrade Engram."
            )
        }
        if let edited = status.first(where: { $0.applied && !$0.checksumMatches }) {
            throw EngramError(
                .schemaTooNew,
                "Applied migration \(String(format: "%03d", edited.version))_\(edited.name) was edited after it ran; restore the file (migrations are never edited) and add a new migration instead."
            )
        }
    }
}

// MARK: - Lookups shared by every operation

extension MemoryService {
    /// The user, or `user_not_found`.
    @discardableResult
    func requireUser(_ tx: any StorageTransaction, _ id: String, forUpdate: Bool = false) async throws -> User {
        guard let user = try await tx.user(id, forUpdate: forUpdate) else { throw EngramError.userNotFound }
        return user
    }

    /// The session, or `session_not_found`.
    @discardableResult
    func requireSession(_ tx: any StorageTransaction, userID: String, _ id: String) async throws -> Session {
        guard let session = try await tx.session(userID: userID, id: id) else { throw EngramError.sessionNotFound }
        return session
    }

    /// The agent, or `agent_not_found`.
    @discardableResult
    func requireAgent(_ tx: any StorageTransaction, userID: String, _ id: String) async throws -> Agent {
        guard let agent = try await tx.agent(userID: userID, id: id) else { throw EngramError.agentNotFound }
        return agent
    }

    /// The memory, or `memory_not_found`.
    func requireMemory(
        _ tx: any StorageTransaction, userID: String, _ id: String, forUpdate: Bool = false
    ) async throws -> Memory {
        guard let memory = try await tx.memory(userID: userID, id: id, forUpdate: forUpdate) else {
            throw EngramError.memoryNotFound
        }
        return memory
    }

    /// Throws `message_not_found` unless every id names a message of the user.
    func requireMessages(_ tx: any StorageTransaction, userID: String, _ ids: [String]) async throws {
        let unique = Array(Set(ids)).sorted()
        guard !unique.isEmpty else { return }
        guard try await tx.messages(userID: userID, ids: unique).count == unique.count else {
            throw EngramError.messageNotFound
        }
    }

    /// Appends `events` to the user's audit trail, numbered after its last line. Called last in a transaction.
    func audit(_ tx: any StorageTransaction, userID: String, _ events: [AuditEvent], at date: Date) async throws {
        guard !events.isEmpty else { return }
        let last = try await tx.lastAuditID(userID: userID)
        try await tx.insertAuditEntries(
            events.enumerated().map { offset, event in
                AuditEntry(
                    id: last + Int64(offset) + 1, userID: userID, actor: configuration.actor, action: event.action,
                    targetType: event.targetType, targetID: event.targetID, beforeDigest: event.beforeDigest,
                    afterDigest: event.afterDigest, reason: event.reason, createdAt: date)
            })
    }

    /// Appends one audit line.
    func audit(_ tx: any StorageTransaction, userID: String, _ event: AuditEvent, at date: Date) async throws {
        try await audit(tx, userID: userID, [event], at: date)
    }
}

// MARK: - The active embedding model

extension MemoryService {
    /// The model recall ranks with: the stored active model, settled on first use (the configured model becomes
    /// active when none is, or when every memory already has its vector), then re-read at most once a second.
    func activeModel() async throws -> EmbeddingModel {
        let now = ContinuousClock.now
        if let cached = activeModelCache.withLock({ $0 }), now - cached.read < .seconds(1) { return cached.model }
        let configured = EmbeddingModel(embedder)
        var active = try await read(.store, waitingForRecalls: false) { tx in try await tx.activeModel() }
        if active != configured, !driver.isReadOnly {
            let date = self.now()
            active = try await write(.store) { tx in try await self.settleActiveModel(tx, at: date) }
        }
        let model = active ?? configured
        activeModelCache.withLock { $0 = (model, now) }
        return model
    }

    /// Records the configured model and makes it active when no model is, or when every memory has its vector.
    /// Returns the active model.
    func settleActiveModel(_ tx: any StorageTransaction, at date: Date) async throws -> EmbeddingModel {
        let configured = EmbeddingModel(embedder)
        if let active = try await tx.activeModel(), active == configured { return active }
        try await tx.lockModels()
        let active = try await tx.activeModel()
        if active == configured { return configured }
        try await tx.registerModel(configured, at: date)
        if let active, try await tx.countMemoriesWithoutVector(of: configured, limit: 1) > 0 { return active }
        try await tx.activateModel(configured, at: date)
        return configured
    }

    /// Forgets the cached active model (after this process switched it).
    func rememberActiveModel(_ model: EmbeddingModel) {
        activeModelCache.withLock { $0 = (model, ContinuousClock.now) }
    }
}
