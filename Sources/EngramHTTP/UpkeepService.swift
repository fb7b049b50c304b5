import EngramCore
import Logging
import ServiceLifecycle
import Synchronization

/// Whether the server can take requests: the schema is migrated and the database answers.
public final class Readiness: Sendable {
    private let prepared = Mutex(false)

    public init() {}

    /// Whether the schema is ready.
    public var isPrepared: Bool { prepared.withLock { $0 } }

    func markPrepared() { prepared.withLock { $0 = true } }
}

/// The server's background work: migrates the schema and loads the embedder at start (the server answers `/ready`
/// with 503 meanwhile),
/// then runs decay and expiry for every user on a schedule, until graceful shutdown.
public struct UpkeepService: Service {
    let service: MemoryService
    let readiness: Readiness
    let interval: Duration?
    let logger: Logger

    public init(service: MemoryService, readiness: Readiness, interval: Duration?, logger: Logger) {
        self.service = service
        self.readiness = readiness
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await prepare()
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await maintainEveryUser()
            }
        }
    }

    /// Migrates (retrying while the database is unreachable), then marks the server ready.
    private func prepare() async throws {
        while true {
            do {
                try await service.prepare()
                // Loads the model (MiniLM: once per process) before the server says it is ready.
                _ = try? await service.embedder.embed(["warm-up"])
                readiness.markPrepared()
                logger.info("schema ready")
                return
            } catch let error as EngramError where error.code == .databaseUnavailable {
                logger.warning("database unavailable; retrying", metadata: ["error.code": "\(error.code)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Consolidation, decay and expiry for each user; one user's failure is logged and the others go on.
    func maintainEveryUser() async {
        let options = MaintenanceOptions(
            consolidate: true, decaySweep: true, expireWorkingFacts: true, messageRetention: nil, removeOrphans: false)
        do {
            for user in try await service.users() {
                if Task.isCancelled { return }
                do {
                    let report = try await service.maintain(userID: user.id, options: options)
                    logger.debug(
                        "maintained",
                        metadata: [
                            "decayed": "\(report.decayed)", "expired": "\(report.expiredWorkingFacts)",
                            "promoted": "\(report.consolidation.promotedFacts)",
                            "episodes": "\(report.consolidation.episodes)",
                        ])
                } catch {
                    logger.warning("maintenance of a user failed", metadata: ["error": "\(Self.code(error))"])
                }
            }
        } catch {
            logger.warning("maintenance could not list users", metadata: ["error": "\(Self.code(error))"])
        }
    }

    /// An error's stable code (never its content).
    static func code(_ error: any Error) -> String {
        (error as? EngramError)?.code.rawValue ?? String(describing: type(of: error))
    }
}

/// Writes the reinforcement of the last recalls when the server shuts down: placed before the driver in a service
/// group, it runs after the server stopped answering and before the driver closes.
public struct ReinforcementFlushService: Service {
    let service: MemoryService

    public init(_ service: MemoryService) {
        self.service = service
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await service.flushReinforcements()
    }
}
