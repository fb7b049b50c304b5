import Logging

/// Extracts with `primary` (an LLM, say) and, when it throws, with `fallback` (the heuristic): a provider that is
/// down, slow past its timeout, or answering outside the schema costs the turn nothing but the primary's view.
///
/// The failure is logged at `info` with its error code only, never the turn. Cancellation is not a failure: it is
/// passed on, so a caller that gave up (the observe budget) does not wait for the fallback.
public struct FallbackExtractor<Primary: FactExtractor, Fallback: FactExtractor>: FactExtractor {
    /// Tried first.
    public var primary: Primary
    /// Used when `primary` throws.
    public var fallback: Fallback
    let logger: Logger

    /// An extractor that falls back from `primary` to `fallback`.
    public init(primary: Primary, fallback: Fallback, logger: Logger = Logger(label: "engram.formation")) {
        self.primary = primary
        self.fallback = fallback
        self.logger = logger
    }

    public func extract(_ turn: Turn) async throws -> TurnExtraction {
        do {
            return try await primary.extract(turn)
        } catch {
            let reason = try FallbackReason.of(error)
            logger.info("extraction fell back", metadata: ["reason": "\(reason)"])
            return try await fallback.extract(turn)
        }
    }
}

/// Why a primary extractor or summarizer failed, for a log line: an error code or a type name, never a message.
enum FallbackReason {
    /// The reason `error` gives; rethrows cancellation, which is not a reason to fall back.
    static func of(_ error: any Error) throws -> String {
        if error is CancellationError { throw error }
        return (error as? EngramError)?.code.rawValue ?? "\(type(of: error))"
    }
}
