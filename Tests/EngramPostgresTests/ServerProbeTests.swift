import EngramCore
import Foundation
import Glibc
import Testing

@testable import EngramPostgres

/// ``ServerProbe`` asks the server's socket only: it never logs in, so it takes none of the server's connection
/// slots, and it tells a refused or missing socket from one that accepts.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct ServerProbeTests {
    /// A live server is reachable whatever the credentials: a password the server would refuse is never sent. (That
    /// the probe sends nothing at all is the next test's.)
    @Test func aLiveServerIsReachableWhateverThePassword() async throws {
        var configuration = try isolatedConfiguration()
        configuration.password = "not-the-password"
        #expect(await ServerProbe(configuration).unreachable() == nil)
    }

    /// A socket that accepts and never speaks PostgreSQL (here, one that listens and accepts nothing: the kernel
    /// completes the handshake) is reachable at once; a probe that logged in would wait for the startup answer.
    @Test func aSocketThatAcceptsIsReachableBeforeAnyStartupAnswer() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        var configuration = try isolatedConfiguration()
        configuration.endpoint = .tcp(host: "127.0.0.1", port: listener.port)
        configuration.connectTimeout = .seconds(600)
        #expect(await ServerProbe(configuration).unreachable() == nil)
    }

    @Test func aClosedPortIsUnavailable() async throws {
        var configuration = try isolatedConfiguration()
        configuration.endpoint = .tcp(host: "127.0.0.1", port: 1)
        let error = try #require(await ServerProbe(configuration).unreachable())
        #expect(error.code == .databaseUnavailable)
        #expect(error.message.contains("Cannot connect to PostgreSQL at 127.0.0.1:1"), "\(error.message)")
    }

    @Test func aMissingUnixSocketIsUnavailable() async throws {
        var configuration = try isolatedConfiguration()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engram-probe-\(UUID().uuidString)")
        configuration.endpoint = .unixSocket(path: folder.appendingPathComponent(".s.PGSQL.5432").path)
        let error = try #require(await ServerProbe(configuration).unreachable())
        #expect(error.code == .databaseUnavailable)
    }
}

/// A TCP socket on 127.0.0.1 that listens and never accepts: connects to it complete, and nothing is ever said.
private struct SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        try #require(descriptor >= 0 && listening, "cannot listen on 127.0.0.1")
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
