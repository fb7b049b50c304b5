import EngramCore
import Foundation

/// Operations not ported to PostgreSQL yet: each throws until its real implementation replaces it.
extension PostgresMemoryStore {
    public func remember(_ draft: MemoryDraft) async throws -> RememberOutcome {
        throw EngramError(.storageFailure, "PostgresMemoryStore.remember is not implemented yet.")
    }

    public func memory(userID: String, id: String) async throws -> Memory {
        throw EngramError(.storageFailure, "PostgresMemoryStore.memory is not implemented yet.")
    }

    public func memories(userID: String, filters: RecallFilters, limit: Int, offset: Int) async throws -> [Memory] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.memories is not implemented yet.")
    }

    public func updateMemory(userID: String, id: String, _ patch: MemoryPatch) async throws -> Memory {
        throw EngramError(.storageFailure, "PostgresMemoryStore.updateMemory is not implemented yet.")
    }

    public func forget(userID: String, id: String, mode: ForgetMode) async throws {
        throw EngramError(.storageFailure, "PostgresMemoryStore.forget is not implemented yet.")
    }

    public func setEmotion(_ emotion: Emotion) async throws -> Emotion {
        throw EngramError(.storageFailure, "PostgresMemoryStore.setEmotion is not implemented yet.")
    }

    public func emotion(userID: String, memoryID: String) async throws -> Emotion? {
        throw EngramError(.storageFailure, "PostgresMemoryStore.emotion is not implemented yet.")
    }

    public func recall(_ query: RecallQuery) async throws -> [RecallResult] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.recall is not implemented yet.")
    }

    public func feedback(userID: String, memoryID: String, query: String?, useful: Bool) async throws -> Feedback {
        throw EngramError(.storageFailure, "PostgresMemoryStore.feedback is not implemented yet.")
    }

    public func statistics(userID: String) async throws -> UserStatistics {
        throw EngramError(.storageFailure, "PostgresMemoryStore.statistics is not implemented yet.")
    }

    public func auditLog(userID: String, limit: Int) async throws -> [AuditEntry] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.auditLog is not implemented yet.")
    }

    public func maintain(userID: String, options: MaintenanceOptions) async throws -> MaintenanceReport {
        throw EngramError(.storageFailure, "PostgresMemoryStore.maintain is not implemented yet.")
    }

    public func export(userID: String) async throws -> [ExportRecord] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.export is not implemented yet.")
    }

    public func importRecords(_ records: [ExportRecord]) async throws -> ImportReport {
        throw EngramError(.storageFailure, "PostgresMemoryStore.importRecords is not implemented yet.")
    }
}
