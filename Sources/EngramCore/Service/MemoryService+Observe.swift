import Foundation

extension MemoryService {
    /// Observes one turn: appends it to L1, makes it recallable, extracts working facts, entities, emotion and
    /// links within the extraction budget, and returns the active context.
    public func observe(_ draft: ObservationDraft) async throws -> Observation {
        throw EngramError(.invalidArgument, "observe is being built.")
    }
}
