import EngramCore
import HTTPTypes
import Testing

@testable import EngramHTTP

/// The token buckets of failed authentications, on a clock the test moves: no test waits.
@Suite struct FailedAuthenticationsTests {
    @Test func aClientMayFailBurstTimesThenWaitsForATokenPerRefill() {
        let failures = FailedAuthentications(burst: 3, refillPerSecond: 0.5)
        let start = ContinuousClock.now
        for _ in 0..<3 {
            #expect(failures.retryAfter("127.0.0.2", now: start) == nil)
            failures.fail("127.0.0.2", now: start)
        }
        #expect(failures.retryAfter("127.0.0.2", now: start) == .seconds(2))
        #expect(failures.retryAfter("127.0.0.2", now: start + .seconds(1)) == .seconds(1))
        // Another address is not affected.
        #expect(failures.retryAfter("127.0.0.3", now: start) == nil)
        // A token is back after 2 s: one more failure, then a wait again.
        #expect(failures.retryAfter("127.0.0.2", now: start + .seconds(2)) == nil)
        failures.fail("127.0.0.2", now: start + .seconds(2))
        #expect(failures.retryAfter("127.0.0.2", now: start + .seconds(2)) == .seconds(2))
        // The bucket never holds more than the burst, however long the client waited.
        let later = start + .seconds(3600)
        for _ in 0..<3 { failures.fail("127.0.0.2", now: later) }
        #expect(failures.retryAfter("127.0.0.2", now: later) != nil)
    }

    /// Behind trusted proxies the client is the last untrusted address of `X-Forwarded-For`; otherwise the header
    /// is ignored, and what a client writes into it never decides.
    @Test func theClientBehindTrustedProxies() {
        func client(_ peer: String, _ forwardedFor: [String], trusted: Set<String> = ["192.0.2.10", "192.0.2.11"])
            -> String
        {
            var headers = HTTPFields()
            for value in forwardedFor { headers.append(HTTPField(name: ClientAddress.forwardedFor, value: value)) }
            return ClientAddress.resolve(peer: peer, headers: headers, trustedProxies: trusted)
        }
        // An untrusted peer is the client, whatever it sends.
        #expect(client("198.51.100.9", ["203.0.113.7"]) == "198.51.100.9")
        #expect(client("192.0.2.10", ["203.0.113.7"], trusted: []) == "192.0.2.10")
        // A trusted proxy names the client; a chain of trusted proxies is walked from the right.
        #expect(client("192.0.2.10", ["203.0.113.7"]) == "203.0.113.7")
        #expect(client("192.0.2.10", ["203.0.113.7, 192.0.2.11"]) == "203.0.113.7")
        #expect(client("192.0.2.10", ["203.0.113.7", "192.0.2.11"]) == "203.0.113.7")
        // What the client wrote itself is to the left of what the proxy appended.
        #expect(client("192.0.2.10", ["192.0.2.1, 203.0.113.7"]) == "203.0.113.7")
        // No header, only trusted hops, or a hop that is not an address: the proxy itself.
        #expect(client("192.0.2.10", []) == "192.0.2.10")
        #expect(client("192.0.2.10", ["192.0.2.11"]) == "192.0.2.10")
        #expect(client("192.0.2.10", ["203.0.113.7, unknown"]) == "192.0.2.10")
        // IPv6 in the server's own form, with or without brackets.
        #expect(client("192.0.2.10", ["[2001:db8:0:0::1]"]) == "2001:db8::1")
        #expect(ClientAddress.canonical("2001:DB8::0:1") == "2001:db8::1")
        #expect(ClientAddress.canonical("not an address") == nil)
    }

    @Test func theStatusOfTheNewCodes() {
        #expect(APIError.status(for: .rateLimited) == .tooManyRequests)
        #expect(APIError.status(for: .diskFull).code == 507)
    }
}
