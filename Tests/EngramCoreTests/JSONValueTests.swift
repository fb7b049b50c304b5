import Foundation
import Testing

@testable import EngramCore

@Suite struct JSONValueTests {
    @Test func mergingOverwritesConflictsAndKeepsBothKeySets() {
        let mine = JSONValue.object(["a": .number(1), "b": .string("old"), "nested": .object(["x": .number(1)])])
        let theirs = JSONValue.object(["b": .string("new"), "c": .bool(true)])
        #expect(
            mine.merging(theirs)
                == .object([
                    "a": .number(1), "b": .string("new"), "c": .bool(true), "nested": .object(["x": .number(1)]),
                ]))
        #expect(JSONValue.emptyObject.merging(theirs) == theirs)
        #expect(mine.merging(.emptyObject) == mine)
    }

    @Test func mergingWithANonObjectTakesTheOther() {
        #expect(JSONValue.string("x").merging(.object(["a": .null])) == .object(["a": .null]))
        #expect(JSONValue.object(["a": .null]).merging(.number(2)) == .number(2))
    }

    @Test func parseReadsEveryKindOfValue() throws {
        let value = try JSONValue.parse(
            #"{"s":"hi","n":2.5,"i":1,"t":true,"f":false,"z":null,"a":[1,"x",{"k":[]}]}"#, field: "metadata")
        #expect(
            value
                == .object([
                    "s": .string("hi"), "n": .number(2.5), "i": .number(1), "t": .bool(true), "f": .bool(false),
                    "z": .null, "a": .array([.number(1), .string("x"), .object(["k": .array([])])]),
                ]))
        #expect(try JSONValue.parse("42", field: "x") == .number(42))
        #expect(try JSONValue.parse("\"str\"", field: "x") == .string("str"))
        #expect(try JSONValue.parse("null", field: "x") == .null)
        #expect(value.objectValue?["s"] == .string("hi"))
        #expect(JSONValue.string("x").objectValue == nil)
    }

    @Test(arguments: ["{", "", "{'a': 1}", "[1", "nope"])
    func parseRejectsInvalidJSONNamingTheField(text: String) {
        let error = expectEngramError(.invalidArgument) { try JSONValue.parse(text, field: "metadata") }
        #expect(error?.message.contains("metadata") == true)
    }

    @Test func jsonTextIsCompactWithSortedKeysAndRoundTrips() throws {
        let value = JSONValue.object(["b": .number(1), "a": .array([.string("x/y"), .bool(false), .null])])
        #expect(value.jsonText == #"{"a":["x/y",false,null],"b":1}"#)
        #expect(try JSONValue.parse(value.jsonText, field: "x") == value)
        #expect(JSONValue.emptyObject.jsonText == "{}")
    }
}

/// `jsonText` is written directly for the common values; it must be byte for byte what `JSONEncoder` wrote
/// before (stored metadata, tags and exports are compared as text).
@Suite struct JSONTextTests {
    private static let awkwardStrings = [
        "", "plain", "a/b", #"quote " and back \ slash"#, "tab\tline\nreturn\r", "crlf\r\n", "é", "e\u{301}",
        "日本語", "🙂👍🏽", "\u{2028}\u{2029}", "\u{7F}", "<script>&amp;</script>", "Zebra", "apple", "Apple", "ä", "z",
        "10", "9",
    ]

    @Test func directTextIsWhatJSONEncoderWrites() throws {
        var random = SplitMix64(seed: 7)
        var values: [JSONValue] = [
            .null, .bool(true), .bool(false), .number(0), .number(3), .number(-7), .number(1e15),
            .number(9_007_199_254_740_992), .number(-9_007_199_254_740_992), .emptyObject, .array([]),
            .object(
                Dictionary(
                    // "é" and "e\u{301}" are one Swift key.
                    Self.awkwardStrings.enumerated().map { ($1, .number(Double($0))) }, uniquingKeysWith: { a, _ in a })
            ),
            .array(Self.awkwardStrings.map(JSONValue.string)),
        ]
        for _ in 0..<300 { values.append(Self.randomValue(&random, depth: 0)) }
        var direct = 0
        for value in values {
            if let text = value.directText {
                #expect(text == value.encodedText, "\(value)")
                direct += 1
            }
            #expect(value.jsonText == value.encodedText)
        }
        #expect(direct == values.count)
    }

    @Test(arguments: [
        JSONValue.number(0.5), .number(-0.0), .number(1e300), .number(9_007_199_254_740_994), .string("bell\u{7}"),
        .object(["k\u{1}": .null]), .array([.number(1), .number(2.25)]),
    ])
    func valuesLeftToJSONEncoderStillMatch(value: JSONValue) {
        #expect(value.directText == nil)
        #expect(value.jsonText == value.encodedText)
    }

    private static func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next() % (depth < 3 ? 6 : 4) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .number(Double(Int64(bitPattern: random.next()) % 1_000_000_000_000))
        case 3: return .string(randomString(&random))
        case 4:
            return .array((0..<random.next() % 5).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.next() % 6 { members[randomString(&random)] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }

    private static func randomString(_ random: inout SplitMix64) -> String {
        (0..<random.next() % 4).map { _ in awkwardStrings[Int(random.next() % UInt64(awkwardStrings.count))] }
            .joined()
    }
}

@Suite struct ContentHashTests {
    @Test func equalAfterCaseAndWhitespaceNormalisation() {
        let a = ContentHash.of("Alice likes   green tea")
        #expect(a == ContentHash.of("  alice LIKES green\ttea\n"))
        #expect(a == ContentHash.of("ALICE likes green tea"))
        #expect(a != ContentHash.of("Alice likes green teas"))
        #expect(a != ContentHash.of("Alicelikes green tea"))
        #expect(a.count == 64)
        #expect(a.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    /// The ASCII fast path gives exactly what the character-by-character normalisation gives: every ASCII byte
    /// between words, at the ends, doubled, and in longer pseudo-random ASCII texts; anything else takes the
    /// general path.
    @Test func asciiFastPathMatchesTheGeneralNormalisation() throws {
        var texts: [String] = []
        for byte in UInt8(0)..<0x80 {
            let c = String(decoding: [byte], as: UTF8.self)
            texts += ["a\(c)B", "\(c)x", "X\(c)", "\(c)\(c)", "w \(c) \r\n z", c]
        }
        var seed: UInt64 = 42
        for _ in 0..<200 {
            let bytes = (0..<40).map { _ -> UInt8 in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8((seed >> 33) % 128)
            }
            texts.append(String(decoding: bytes, as: UTF8.self))
        }
        for text in texts {
            let fast = try #require(ContentHash.asciiNormalized(text))
            #expect(fast == Array(ContentHash.normalized(text).utf8), "\(Array(text.utf8))")
        }
        #expect(ContentHash.asciiNormalized("Café au lait") == nil)
        #expect(ContentHash.of("  CAFÉ\u{2003}au  lait ") == ContentHash.hex(Data("café au lait".utf8)))
    }

    @Test func hexIsSHA256() {
        #expect(ContentHash.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.of("ABC") == ContentHash.hex(Data("abc".utf8)))
    }

    @Test func digestIsStableAndSensitiveToChanges() {
        let memory = makeMemory(content: "one")
        #expect(ContentHash.digest(memory) == ContentHash.digest(memory))
        var changed = memory
        changed.salience = 0.51
        #expect(ContentHash.digest(memory) != ContentHash.digest(changed))
        #expect(ContentHash.digest(memory).count == 64)
    }
}
