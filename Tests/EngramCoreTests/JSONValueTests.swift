import EngramCore
import Foundation
import Testing

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
