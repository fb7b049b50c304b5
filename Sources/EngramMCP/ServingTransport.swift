import Foundation
import Logging
import MCP

/// What Engram's servers run over, around the transport they are given (stdio, or a session's HTTP transport): the
/// end of input waits until every request delivered has been answered or cancelled, strings that begin with
/// `data:` cross the SDK as they are, both ways (``DataURLShield``), and a request whose parameters are not its
/// method's is answered with invalid params (``ParameterCheck``).
///
/// The SDK's server handles each request in a task of its own and stops reading when its input ends, so a client
/// that writes its requests and closes its input at once (a script piping into `engram mcp`) would otherwise lose
/// the answers still being computed.
actor ServingTransport: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    private var incoming: AsyncThrowingStream<Data, any Error>.Iterator?
    /// Requests delivered and not yet answered, by JSON-RPC id.
    private var unanswered: Set<JSONRPCID> = []
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isClosed = false

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws {
        try await inner.connect()
        incoming = await inner.receive().makeAsyncIterator()
    }

    func disconnect() async {
        isClosed = true
        wake()
        await inner.disconnect()
    }

    func send(_ data: Data) async throws {
        defer { settle(JSONRPCID.answered(by: data)) }
        try await inner.send(DataURLShield.unshieldStrings(in: data))
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        AsyncThrowingStream(unfolding: { try await self.next() })
    }

    /// The next incoming message; at the end of input, `nil` once nothing is left unanswered.
    private func next() async throws -> Data? {
        guard var iterator = incoming else { return nil }
        var data = try await iterator.next(isolation: self)
        // A request whose parameters do not decode is answered here (``ParameterCheck``), and the next one read.
        while let message = data, let rejection = ParameterCheck.rejection(of: message) {
            try await inner.send(rejection)
            data = try await iterator.next(isolation: self)
        }
        incoming = iterator
        guard let data else {
            incoming = nil
            while !unanswered.isEmpty, !isClosed { await withCheckedContinuation { waiters.append($0) } }
            return nil
        }
        let (requests, cancelled) = JSONRPCID.traffic(in: data)
        unanswered.formUnion(requests)
        settle(cancelled)
        return DataURLShield.shieldArguments(in: data)
    }

    /// Marks `ids` answered; wakes the end of input when nothing is left.
    private func settle(_ ids: [JSONRPCID]) {
        unanswered.subtract(ids)
        if unanswered.isEmpty { wake() }
    }

    /// Lets the end of input look again.
    private func wake() {
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}

/// A JSON-RPC id, as the messages of one connection use them.
enum JSONRPCID: Hashable, Sendable {
    case number(Int)
    case string(String)

    init?(_ value: Value?) {
        switch value {
        case .int(let number)?: self = .number(number)
        case .string(let text)?: self = .string(text)
        default: return nil
        }
    }

    /// The ids of the requests in a message or batch, and of the requests it cancels.
    static func traffic(in data: Data) -> (requests: [JSONRPCID], cancelled: [JSONRPCID]) {
        var requests: [JSONRPCID] = []
        var cancelled: [JSONRPCID] = []
        for message in messages(in: data) where message["method"] != nil {
            if let id = JSONRPCID(message["id"]) { requests.append(id) }
            if message["method"] == .string(CancelledNotification.name),
                let id = JSONRPCID(message["params"]?.objectValue?["requestId"])
            {
                cancelled.append(id)
            }
        }
        return (requests, cancelled)
    }

    /// The ids of the responses in a message or batch.
    static func answered(by data: Data) -> [JSONRPCID] {
        messages(in: data).filter { $0["method"] == nil }.compactMap { JSONRPCID($0["id"]) }
    }

    private static func messages(in data: Data) -> [[String: Value]] {
        switch try? JSONDecoder().decode(Value.self, from: data) {
        case .object(let message)?: [message]
        case .array(let batch)?: batch.compactMap(\.objectValue)
        default: []
        }
    }
}
