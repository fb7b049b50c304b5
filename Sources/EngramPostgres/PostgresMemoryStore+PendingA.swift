import EngramCore
import Foundation

/// Operations not ported to PostgreSQL yet: each throws until its real implementation replaces it.
extension PostgresMemoryStore {
    public func createUser(_ draft: UserDraft) async throws -> User {
        throw EngramError(.storageFailure, "PostgresMemoryStore.createUser is not implemented yet.")
    }

    public func user(_ id: String) async throws -> User {
        throw EngramError(.storageFailure, "PostgresMemoryStore.user is not implemented yet.")
    }

    public func users() async throws -> [User] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.users is not implemented yet.")
    }

    public func updateUser(_ id: String, _ patch: UserPatch) async throws -> User {
        throw EngramError(.storageFailure, "PostgresMemoryStore.updateUser is not implemented yet.")
    }

    public func eraseUser(_ id: String) async throws -> ErasureReceipt {
        throw EngramError(.storageFailure, "PostgresMemoryStore.eraseUser is not implemented yet.")
    }

    public func createAgent(_ draft: AgentDraft) async throws -> Agent {
        throw EngramError(.storageFailure, "PostgresMemoryStore.createAgent is not implemented yet.")
    }

    public func agent(userID: String, id: String) async throws -> Agent {
        throw EngramError(.storageFailure, "PostgresMemoryStore.agent is not implemented yet.")
    }

    public func agents(userID: String) async throws -> [Agent] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.agents is not implemented yet.")
    }

    public func updateAgent(userID: String, id: String, _ patch: AgentPatch) async throws -> Agent {
        throw EngramError(.storageFailure, "PostgresMemoryStore.updateAgent is not implemented yet.")
    }

    public func deleteAgent(userID: String, id: String) async throws {
        throw EngramError(.storageFailure, "PostgresMemoryStore.deleteAgent is not implemented yet.")
    }

    public func createSession(_ draft: SessionDraft) async throws -> Session {
        throw EngramError(.storageFailure, "PostgresMemoryStore.createSession is not implemented yet.")
    }

    public func session(userID: String, id: String) async throws -> Session {
        throw EngramError(.storageFailure, "PostgresMemoryStore.session is not implemented yet.")
    }

    public func sessions(userID: String, limit: Int) async throws -> [Session] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.sessions is not implemented yet.")
    }

    public func renameSession(userID: String, id: String, title: String?) async throws -> Session {
        throw EngramError(.storageFailure, "PostgresMemoryStore.renameSession is not implemented yet.")
    }

    public func deleteSession(userID: String, id: String) async throws {
        throw EngramError(.storageFailure, "PostgresMemoryStore.deleteSession is not implemented yet.")
    }

    public func appendMessage(_ draft: MessageDraft) async throws -> Message {
        throw EngramError(.storageFailure, "PostgresMemoryStore.appendMessage is not implemented yet.")
    }

    public func messages(userID: String, sessionID: String, after: Int, limit: Int) async throws -> [Message] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.messages is not implemented yet.")
    }

    public func activeContext(userID: String, sessionID: String, window: ContextWindow?) async throws -> [Message] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.activeContext is not implemented yet.")
    }

    public func addFact(_ draft: WorkingFactDraft) async throws -> WorkingFact {
        throw EngramError(.storageFailure, "PostgresMemoryStore.addFact is not implemented yet.")
    }

    public func facts(userID: String, sessionID: String?, includeExpired: Bool) async throws -> [WorkingFact] {
        throw EngramError(.storageFailure, "PostgresMemoryStore.facts is not implemented yet.")
    }

    public func deleteFact(userID: String, id: String) async throws {
        throw EngramError(.storageFailure, "PostgresMemoryStore.deleteFact is not implemented yet.")
    }

    public func link(_ draft: LinkDraft) async throws -> Link {
        throw EngramError(.storageFailure, "PostgresMemoryStore.link is not implemented yet.")
    }

    public func unlink(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> Int {
        throw EngramError(.storageFailure, "PostgresMemoryStore.unlink is not implemented yet.")
    }

    public func neighbours(userID: String, memoryID: String, depth: Int, types: Set<LinkType>) async throws
        -> [Neighbour]
    {
        throw EngramError(.storageFailure, "PostgresMemoryStore.neighbours is not implemented yet.")
    }

    public func setState(_ key: SessionStateKey, value: JSONValue) async throws -> SessionState {
        throw EngramError(.storageFailure, "PostgresMemoryStore.setState is not implemented yet.")
    }

    public func state(_ key: SessionStateKey) async throws -> SessionState? {
        throw EngramError(.storageFailure, "PostgresMemoryStore.state is not implemented yet.")
    }

    public func deleteState(_ key: SessionStateKey) async throws -> Bool {
        throw EngramError(.storageFailure, "PostgresMemoryStore.deleteState is not implemented yet.")
    }
}
