import EngramCore
import Foundation
import Hummingbird

extension V1Routes {
    func registerRecords(on table: RouteTable) {
        let service = service
        table.on(.get, "users/{user}/stats") { _, context in
            Reply(try await service.statistics(userID: try context.user()))
        }
        table.on(.get, "users/{user}/audit") { request, context in
            let user = try context.user()
            let page = try PageRequest(request)
            let entries = try await service.auditLog(userID: user, before: page.position, limit: page.limit + 1)
            return Reply(page.page(fetchedByKey: entries) { $0.id })
        }
        table.on(.post, "users/{user}/maintenance") { request, context in
            let user = try context.user()
            let options = try await Self.optionalBody(MaintenanceBody.self, request, context)?.options() ?? .init()
            return Reply(try await service.maintain(userID: user, options: options))
        }
        table.on(.get, "users/{user}/export") { _, context in
            Self.jsonLines(try await service.export(userID: try context.user()))
        }
        table.on(.post, "users/{user}/import") { request, context in
            let user = try context.user()
            let records = try await Self.records(request, context)
            return Reply(try await service.importRecords(records, scope: .user(user)))
        }
        table.on(.post, "import") { request, context in
            try context.requireAdmin()
            let records = try await Self.records(request, context)
            return Reply(try await service.importRecords(records, scope: .allUsers))
        }
    }

    /// The body decoded as `T`, or `nil` when the request has none.
    static func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: EngramRequestContext)
        async throws -> T?
    {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        return try await request.decode(as: T.self, context: context)
    }

    /// The JSON Lines of an export, one record per line, streamed in chunks.
    static func jsonLines(_ records: [ExportRecord]) -> Response {
        let body = ResponseBody { writer in
            var chunk = ""
            for record in records {
                chunk += try ExportCodec.line(record)
                chunk += "\n"
                if chunk.utf8.count >= 64 * 1024 {
                    try await writer.write(ByteBuffer(string: chunk))
                    chunk = ""
                }
            }
            if !chunk.isEmpty { try await writer.write(ByteBuffer(string: chunk)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    /// The records of a JSON Lines body; a malformed line refuses the whole import.
    static func records(_ request: Request, _ context: EngramRequestContext) async throws -> [ExportRecord] {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let text = String(buffer: buffer)
        var records: [ExportRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            records.append(try ExportCodec.record(String(line), lineNumber: index + 1))
        }
        return records
    }
}
