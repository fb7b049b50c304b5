import Synchronization

/// Failed authentications per client address, kept as token buckets: each failure takes a token, and a client
/// with none left is refused with 429 `rate_limited` before its key is looked at, until a token is back. A client
/// that sends valid keys never loses a token.
///
/// Secrets are 256-bit random values, so guessing one is hopeless anyway; the limit keeps a client that tries from
/// costing a database read per attempt, and makes a leaked key's prefix useless for probing.
final class FailedAuthentications: Sendable {
    /// Failures a client may make at once.
    let burst: Double
    /// Tokens a client gets back per second.
    let refillPerSecond: Double
    /// Clients tracked before those whose bucket is full again are forgotten.
    static let trackedClients = 10_000

    private struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    init(burst: Int, refillPerSecond: Double) {
        self.burst = Double(burst)
        self.refillPerSecond = refillPerSecond
    }

    /// How long `client` must wait before a key of its is looked at again; `nil` when it may send one now.
    func retryAfter(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            guard let bucket = buckets[client] else { return nil }
            let tokens = level(bucket, now: now)
            return tokens >= 1 ? nil : .seconds((1 - tokens) / refillPerSecond)
        }
    }

    /// Takes one of `client`'s tokens, after a request of its failed authentication.
    func fail(_ client: String, now: ContinuousClock.Instant = .now) {
        buckets.withLock { buckets in
            if buckets.count >= Self.trackedClients {
                buckets = buckets.filter { level($0.value, now: now) < burst }
            }
            let tokens = buckets[client].map { level($0, now: now) } ?? burst
            buckets[client] = Bucket(tokens: max(0, tokens - 1), at: now)
        }
    }

    /// The bucket's tokens at `now`: what it had, refilled since, at most `burst`.
    private func level(_ bucket: Bucket, now: ContinuousClock.Instant) -> Double {
        let elapsed = now - bucket.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return min(burst, bucket.tokens + seconds * refillPerSecond)
    }
}
