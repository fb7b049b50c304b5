import Logging

/// Summarises with `primary` (an LLM, say) and, when it throws, with `fallback` (the heuristic).
///
/// The failure is logged at `info` with its error code only, never the turns; cancellation is passed on.
public struct FallbackSummarizer<Primary: EpisodeSummarizer, Fallback: EpisodeSummarizer>: EpisodeSummarizer {
    /// Tried first.
    public var primary: Primary
    /// Used when `primary` throws.
    public var fallback: Fallback
    let logger: Logger

    /// A summarizer that falls back from `primary` to `fallback`.
    public init(primary: Primary, fallback: Fallback, logger: Logger = Logger(label: "engram.formation")) {
        self.primary = primary
        self.fallback = fallback
        self.logger = logger
    }

    public func summarize(_ turns: [Turn]) async throws -> String {
        do {
            return try await primary.summarize(turns)
        } catch {
            let reason = try FallbackReason.of(error)
            logger.info("summary fell back", metadata: ["reason": "\(reason)"])
            return try await fallback.summarize(turns)
        }
    }
}
