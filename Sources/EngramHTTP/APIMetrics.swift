import EngramCore
import Metrics

/// Engram's own metrics, beside Hummingbird's per-route request counters and duration histograms: recall latency,
/// embedder latency and store sizes. Made once the metrics system is bootstrapped (before that they record
/// nothing).
public struct APIMetrics: Sendable {
    /// How long a recall takes inside the service, query embedding included.
    let recall = Metrics.Timer(label: "engram_recall_duration")
    /// Store sizes, set on every scrape of `/metrics`.
    let users = Gauge(label: "engram_users")
    let memories = Gauge(label: "engram_memories")
    let links = Gauge(label: "engram_links")
    let sessions = Gauge(label: "engram_sessions")
    let messages = Gauge(label: "engram_messages")

    public init() {}

    /// Sets the store-size gauges from the users' counters.
    func record(sizesOf users: [User]) {
        self.users.record(users.count)
        memories.record(users.reduce(0) { $0 + $1.counters.memories })
        links.record(users.reduce(0) { $0 + $1.counters.links })
        sessions.record(users.reduce(0) { $0 + $1.counters.sessions })
        messages.record(users.reduce(0) { $0 + $1.counters.messages })
    }
}

/// An embedder that times every call (`engram_embed_duration`, by model) and counts the texts it embeds.
public struct MeasuredEmbedder: Embedder {
    public let base: any Embedder
    let timer: Metrics.Timer
    let texts: Counter

    public init(_ base: any Embedder) {
        self.base = base
        self.timer = Metrics.Timer(label: "engram_embed_duration", dimensions: [("model", base.model)])
        self.texts = Counter(label: "engram_embedded_texts", dimensions: [("model", base.model)])
    }

    public var model: String { base.model }
    public var dimension: Int { base.dimension }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let start = ContinuousClock.now
        defer { timer.record(duration: ContinuousClock.now - start) }
        self.texts.increment(by: texts.count)
        return try await base.embed(texts)
    }
}
