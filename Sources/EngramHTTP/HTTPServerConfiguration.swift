/// How `engram serve` listens and guards its API.
public struct HTTPServerConfiguration: Sendable, Hashable {
    /// The default body limit: 8 MiB, room for a bulk request of a few hundred memories.
    public static let defaultMaxBodyBytes = 8 * 1024 * 1024

    /// The address to listen on; loopback unless chosen otherwise.
    public var host: String = "127.0.0.1"
    /// The TCP port; 0 picks a free one.
    public var port: Int = 8787
    /// The largest request body read, in bytes; larger ones get 413 `request_too_large`.
    public var maxBodyBytes: Int = defaultMaxBodyBytes
    /// Whether every `/v1` and `/mcp` request needs an API key. Turning it off makes every request an admin's, and
    /// is refused on an address other than loopback.
    public var requiresAPIKeys: Bool = true
    /// How many failed authentications a client address may make at once before it is refused with 429
    /// `rate_limited` (``FailedAuthentications``), and how many more it may make per second after that.
    public var authenticationFailureBurst: Int = 20
    public var authenticationFailuresPerSecond: Double = 1
    /// The IP addresses of reverse proxies in front of the server. A request from one counts its failed
    /// authentications by the client that `X-Forwarded-For` names (the last address there that is not a trusted
    /// proxy), not by the proxy's, which all its clients would share. Empty (the default), the header is ignored:
    /// any client can send it.
    public var trustedProxies: Set<String> = []
    /// How often the maintenance service runs decay and expiry for every user; `nil` never.
    public var maintenanceInterval: Duration? = .seconds(600)

    public init() {}

    /// `text` as an IP address in the form the server compares (IPv6 compressed), or `nil` when it is not one: for
    /// ``trustedProxies``.
    public static func ipAddress(_ text: String) -> String? {
        ClientAddress.canonical(text)
    }

    /// Whether `host` is a loopback address.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
