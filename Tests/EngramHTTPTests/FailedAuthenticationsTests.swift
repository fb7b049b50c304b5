import EngramCore
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

    @Test func theStatusOfTheNewCodes() {
        #expect(APIError.status(for: .rateLimited) == .tooManyRequests)
        #expect(APIError.status(for: .diskFull).code == 507)
    }
}
