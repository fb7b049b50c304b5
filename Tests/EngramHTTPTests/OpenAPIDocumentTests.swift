import EngramCore
import EngramHTTP
import EngramSQLite
import Foundation
import Testing

/// `openapi.json` (written by `scripts/openapi.py`) against the router: the same routes, each described enough for
/// a client generator, and no dangling reference.
@Suite struct OpenAPIDocumentTests {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The bundled document, parsed.
    static func document() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: try EngramServer.openAPIDocument())
        return try #require(object as? [String: Any], "openapi.json is not a JSON object")
    }

    /// Every operation of the document: its method, path and operation object.
    static func operations(_ document: [String: Any]) throws -> [(route: RouteSignature, operation: [String: Any])] {
        let paths = try #require(document["paths"] as? [String: Any], "openapi.json has no paths")
        return try paths.flatMap { path, item in
            let item = try #require(item as? [String: Any], "\(path) is not an object")
            return methods.compactMap { method in
                (item[method] as? [String: Any]).map { (RouteSignature(method: method, path: path), $0) }
            }
        }
    }

    @Test func documentDescribesExactlyTheRoutesTheRouterServes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "engram-openapi-tests-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try SQLiteDriver(path: directory.appendingPathComponent("engram.sqlite").path, access: .create)
        defer { try? driver.close() }
        let served = Set(EngramServer(service: MemoryService(driver: driver)).router().routes)
        let documented = Set(try Self.operations(try Self.document()).map(\.route))

        let undocumented = served.subtracting(documented).map(\.description).sorted()
        let unserved = documented.subtracting(served).map(\.description).sorted()
        #expect(
            undocumented.isEmpty && unserved.isEmpty,
            """
            openapi.json and the router differ (run python3 scripts/openapi.py after changing routes).
            Served but not documented: \(undocumented)
            Documented but not served: \(unserved)
            """)
    }

    @Test func everyOperationHasAUniqueIDAndASuccessResponse() throws {
        var seen: [String: RouteSignature] = [:]
        for (route, operation) in try Self.operations(try Self.document()) {
            let id = operation["operationId"] as? String ?? ""
            #expect(!id.isEmpty, "\(route) has no operationId")
            if let other = seen.updateValue(route, forKey: id) {
                Issue.record("\(route) and \(other) share the operationId \(id)")
            }
            let statuses = (operation["responses"] as? [String: Any] ?? [:]).keys
            #expect(statuses.contains { $0.hasPrefix("2") }, "\(route) has no 2xx response")
        }
    }

    @Test func everyReferenceResolves() throws {
        let document = try Self.document()
        var references: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in Set(references).sorted() {
            #expect(Self.resolve(reference, in: document) != nil, "\(reference) resolves to nothing")
        }
    }

    /// The value a local reference (`#/a/b`, JSON Pointer escapes included) points at.
    static func resolve(_ reference: String, in document: [String: Any]) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var value: Any = document
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let object = value as? [String: Any], let next = object[key] else { return nil }
            value = next
        }
        return value
    }
}
