import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP server on 127.0.0.1 standing in for an OpenAI-compatible provider: embeddings and chat completions.
///
/// It records every request and answers from a queue of scripted ``Reply``s; when the queue is
/// empty it computes embeddings deterministically from the input texts (see ``vector(for:dimension:)``).
final class ScriptedProviderServer: Sendable {
    /// One scripted answer.
    enum Reply: Sendable {
        /// A fixed status, headers and body.
        case status(Int, headers: [String: String] = [:], body: String = "")
        /// Computed embeddings; `reversed` lists `data` backwards (with correct indices),
        /// `dimension` overrides the vector length, `dropLast` leaves out the last vector.
        case embeddings(reversed: Bool = false, dimension: Int? = nil, dropLast: Bool = false)
        /// A chat completion whose first choice's message content is `content`.
        case chat(String)
        /// Closes the connection without answering.
        case disconnect
        /// Never answers (until the server closes).
        case hang
    }

    /// What the server received.
    struct RecordedRequest: Sendable {
        var method: HTTPMethod
        var uri: String
        var headers: HTTPHeaders
        var model: String?
        var inputs: [String]
        var dimensions: Int?
        var hasDimensionsField: Bool
        var encodingFormat: String?
        /// The body as sent.
        var body: Data

        /// The body as a JSON object (empty when it is none).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }
    }

    final class Script: Sendable {
        struct State {
            var replies: [Reply] = []
            var requests: [RecordedRequest] = []
        }
        let dimension: Int
        let state = Mutex(State())

        init(dimension: Int) { self.dimension = dimension }

        func next(recording request: RecordedRequest) -> Reply {
            state.withLock { state in
                state.requests.append(request)
                return state.replies.isEmpty ? .embeddings() : state.replies.removeFirst()
            }
        }
    }

    let script: Script
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The ephemeral port the server listens on.
    let port: Int

    /// The API root to configure an embedder with.
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    /// Every request received so far, in order.
    var requests: [RecordedRequest] { script.state.withLock { $0.requests } }

    private init(script: Script, group: MultiThreadedEventLoopGroup, channel: any Channel, port: Int) {
        self.script = script
        self.group = group
        self.channel = channel
        self.port = port
    }

    /// Starts a server whose computed embeddings have `dimension` components.
    static func start(dimension: Int = 4) async throws -> ScriptedProviderServer {
        let script = Script(dimension: dimension)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(ScriptedHandler(script: script))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
            return ScriptedProviderServer(script: script, group: group, channel: channel, port: port)
        } catch {
            try await group.shutdownGracefully()
            throw error
        }
    }

    /// Queues replies for the next requests, in order.
    func enqueue(_ replies: Reply...) {
        script.state.withLock { $0.replies += replies }
    }

    /// Stops listening, closes open connections and the event loop.
    func close() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
    }

    /// The provider's raw (not unit-length) vector for `text`: a pseudo-random sequence seeded with FNV-1a.
    static func vector(for text: String, dimension: Int) -> [Float] {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            seed ^= UInt64(byte)
            seed &*= 0x0000_0100_0000_01b3
        }
        return (0..<dimension).map { _ in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return 3 * (Float(seed >> 40) / Float(1 << 24) + 0.1)
        }
    }

    /// The JSON body of a computed embeddings answer.
    static func embeddingsBody(
        inputs: [String], dimension: Int, reversed: Bool, dropLast: Bool
    ) -> String {
        var items = inputs.enumerated().map { index, text in
            let numbers = vector(for: text, dimension: dimension).map { "\($0)" }.joined(separator: ",")
            return #"{"object":"embedding","index":\#(index),"embedding":[\#(numbers)]}"#
        }
        if dropLast { items.removeLast() }
        if reversed { items.reverse() }
        return #"{"object":"list","model":"test","data":[\#(items.joined(separator: ","))]}"#
    }
}

extension ScriptedProviderServer {
    /// The JSON body of a chat completion answering `content`.
    static func chatBody(content: String) -> String {
        let envelope: [String: Any] = [
            "id": "chatcmpl-test", "object": "chat.completion", "model": "test",
            "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": content]]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Answers each complete request from the script.
private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let script: ScriptedProviderServer.Script
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(script: ScriptedProviderServer.Script) { self.script = script }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: record(head), keepAlive: head.isKeepAlive, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func record(_ head: HTTPRequestHead) -> ScriptedProviderServer.RecordedRequest {
        let data = Data(body.readableBytesView)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return .init(
            method: head.method, uri: head.uri, headers: head.headers, model: json["model"] as? String,
            inputs: json["input"] as? [String] ?? [], dimensions: json["dimensions"] as? Int,
            hasDimensionsField: json["dimensions"] != nil, encodingFormat: json["encoding_format"] as? String,
            body: data)
    }

    private func respond(
        to request: ScriptedProviderServer.RecordedRequest, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        let status: Int
        var headers = HTTPHeaders()
        let text: String
        switch script.next(recording: request) {
        case .disconnect:
            context.close(promise: nil)
            return
        case .hang:
            return
        case .chat(let content):
            status = 200
            headers.add(name: "Content-Type", value: "application/json")
            text = ScriptedProviderServer.chatBody(content: content)
        case .status(let code, let extra, let body):
            status = code
            for (name, value) in extra { headers.add(name: name, value: value) }
            text = body
        case .embeddings(let reversed, let dimension, let dropLast):
            status = 200
            headers.add(name: "Content-Type", value: "application/json")
            text = ScriptedProviderServer.embeddingsBody(
                inputs: request.inputs, dimension: dimension ?? request.dimensions ?? script.dimension,
                reversed: reversed, dropLast: dropLast)
        }
        let bytes = ByteBuffer(string: text)
        headers.add(name: "Content-Length", value: "\(bytes.readableBytes)")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let responseHead = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
