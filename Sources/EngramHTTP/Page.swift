import EngramCore
import Foundation
import Hummingbird

/// One page of a list: its items, and the cursor of the next page (`null` on the last).
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextCursor: String?

    private enum CodingKeys: String, CodingKey {
        case items, nextCursor
    }

    /// Always writes `nextCursor`, as `null` on the last page.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// Where a list resumes: `limit` (1…500, default 50) and an opaque `cursor` from the previous page.
///
/// A cursor wraps one integer: the position after the last item for lists ordered by position, or the key of
/// the last item for lists read by key (a session's messages by sequence, the audit log by line number), which
/// stay stable while rows are added.
struct PageRequest: Sendable {
    static let defaultLimit = 50
    static let maxLimit = 500

    var limit: Int
    /// The integer the cursor wraps, if a cursor was sent.
    var position: Int64?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let limit = Int(text), (1...Self.maxLimit).contains(limit) else {
                throw EngramError(.invalidArgument, "limit must be an integer from 1 to \(Self.maxLimit).")
            }
            self.limit = limit
        } else {
            self.limit = Self.defaultLimit
        }
        self.position = try query.get("cursor").map(Self.decode)
    }

    /// The offset of a list ordered by position.
    var offset: Int { Int(position ?? 0) }

    /// The page of `items` fetched from ``offset`` with one more than ``limit``: the extra item only says that a
    /// next page exists.
    func page<Item>(fetchedFromOffset items: [Item]) -> Page<Item> {
        let more = items.count > limit
        return Page(items: Array(items.prefix(limit)), nextCursor: more ? Self.encode(Int64(offset + limit)) : nil)
    }

    /// The page of a whole list held in memory.
    func page<Item>(of all: [Item]) -> Page<Item> {
        page(fetchedFromOffset: Array(all.dropFirst(min(offset, all.count)).prefix(limit + 1)))
    }

    /// The page of items fetched by key with one more than ``limit``; the next cursor is the last item's key.
    func page<Item>(fetchedByKey items: [Item], key: (Item) -> Int64) -> Page<Item> {
        let shown = Array(items.prefix(limit))
        let next = items.count > limit ? shown.last.map { Self.encode(key($0)) } : nil
        return Page(items: shown, nextCursor: next)
    }

    static func encode(_ position: Int64) -> String {
        Data("c1:\(position)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The position a cursor wraps: at most `Int32.max`, so that offsets and limits added to it cannot overflow.
    static func decode(_ cursor: String) throws -> Int64 {
        let base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let padded = base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: padded), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("c1:"), let position = Int64(text.dropFirst(3)), (0...Int64(Int32.max)).contains(position)
        else {
            throw EngramError(
                .invalidArgument, "cursor is not one this API returned; pass nextCursor unchanged, or no cursor.")
        }
        return position
    }
}
