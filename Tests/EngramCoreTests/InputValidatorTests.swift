import EngramCore
import Foundation
import Testing

@Suite struct InputValidatorTests {
    let validator = InputValidator(configuration: EngramConfiguration())

    private func small(maxContentBytes: Int = 16, maxIdentifierBytes: Int = 8, maxTags: Int = 3) -> InputValidator {
        var configuration = EngramConfiguration()
        configuration.maxContentBytes = maxContentBytes
        configuration.maxIdentifierBytes = maxIdentifierBytes
        configuration.maxTags = maxTags
        return InputValidator(configuration: configuration)
    }

    @Test(arguments: ["", " ", "   \n\t  ", "\u{00A0}\n"])
    func emptyOrWhitespaceContentIsEmptyContent(text: String) {
        expectEngramError(.emptyContent) { try validator.content(text) }
        expectEngramError(.emptyContent) {
            try validator.memory(MemoryDraft(userID: "alice", content: text), dimension: 384)
        }
    }

    @Test func contentOverTheConfiguredLimitIsTooLarge() throws {
        let validator = small(maxContentBytes: 16)
        #expect(try validator.content(String(repeating: "a", count: 16)) == String(repeating: "a", count: 16))
        let error = expectEngramError(.contentTooLarge) { try validator.content(String(repeating: "a", count: 17)) }
        #expect(error?.message.contains("aaaa") == false, "messages never contain user content")
        // Bytes, not characters: 9 × "é" is 18 UTF-8 bytes.
        expectEngramError(.contentTooLarge) { try validator.content(String(repeating: "é", count: 9)) }
        expectEngramError(.contentTooLarge) {
            try validator.memory(MemoryDraft(userID: "alice", content: String(repeating: "x", count: 17)), dimension: 4)
        }
        expectEngramError(.contentTooLarge) {
            try validator.optionalText(String(repeating: "s", count: 17), field: "summary")
        }
        #expect(try validator.optionalText(nil, field: "summary") == nil)
    }

    @Test func identifiersAreTrimmedAndChecked() throws {
        let validator = small(maxIdentifierBytes: 8)
        #expect(try validator.identifier("  alice ", field: "user id") == "alice")
        expectEngramError(.invalidIdentifier) { try validator.identifier("", field: "user id") }
        expectEngramError(.invalidIdentifier) { try validator.identifier("   ", field: "user id") }
        expectEngramError(.invalidIdentifier) { try validator.identifier("a\u{0}b", field: "user id") }
        expectEngramError(.invalidIdentifier) { try validator.identifier("a\nb", field: "user id") }
        expectEngramError(.invalidIdentifier) { try validator.identifier("123456789", field: "user id") }
        #expect(try validator.identifier("12345678", field: "user id") == "12345678")
        #expect(try validator.optionalIdentifier(nil, field: "session id") == nil)
        #expect(try validator.optionalIdentifier("  ", field: "session id") == nil)
        #expect(try validator.optionalIdentifier(" s1 ", field: "session id") == "s1")
        expectEngramError(.invalidIdentifier) {
            try validator.memory(MemoryDraft(userID: "", content: "hello"), dimension: 4)
        }
        expectEngramError(.invalidIdentifier) {
            try validator.memory(MemoryDraft(userID: "alice", content: "hello", sessionID: "s\u{7}"), dimension: 4)
        }
    }

    @Test(arguments: [1.5, -0.1, Double.nan, Double.infinity, -Double.infinity])
    func outOfRangeNumbersAreInvalidArguments(value: Double) {
        expectEngramError(.invalidArgument) { try validator.number(value, field: "salience") }
        expectEngramError(.invalidArgument) {
            try validator.memory(MemoryDraft(userID: "alice", content: "hello", salience: value), dimension: 4)
        }
        expectEngramError(.invalidArgument) {
            try validator.memory(MemoryDraft(userID: "alice", content: "hello", importance: value), dimension: 4)
        }
        expectEngramError(.invalidArgument) { try validator.patch(MemoryPatch(salience: value)) }
    }

    @Test func numbersInRangeAreAccepted() throws {
        #expect(try validator.number(0, field: "x") == 0)
        #expect(try validator.number(1, field: "x") == 1)
        #expect(try validator.number(-1, field: "valence", in: -1...1) == -1)
        #expect(try validator.count(5, field: "k", in: 1...10) == 5)
        expectEngramError(.invalidArgument) { try validator.count(0, field: "k", in: 1...10) }
        #expect(try validator.duration(3600, field: "ttl") == 3600)
        #expect(try validator.duration(InputValidator.maxDuration, field: "ttl") == InputValidator.maxDuration)
        for bad in [0, -1, TimeInterval.nan, TimeInterval.infinity, InputValidator.maxDuration.nextUp, 1e300] {
            expectEngramError(.invalidArgument) { try validator.duration(bad, field: "ttl") }
        }
    }

    @Test func labelsAreTrimmedDeduplicatedAndBounded() throws {
        let validator = small(maxTags: 3)
        #expect(try validator.labels([" a ", "b", "a", "c"], field: "tags") == ["a", "b", "c"])
        expectEngramError(.invalidArgument) { try validator.labels(["a", " "], field: "tags") }
        expectEngramError(.invalidArgument) { try validator.labels(["a", "b", "c", "d"], field: "tags") }
        expectEngramError(.invalidArgument) {
            try validator.labels([String(repeating: "t", count: 129)], field: "tags")
        }
    }

    @Test func memoryDraftChecksEntityAndEmbedding() throws {
        expectEngramError(.invalidArgument) {
            try validator.memory(
                MemoryDraft(userID: "alice", content: "hello", entityData: .object(["a": .number(1)])), dimension: 4)
        }
        expectEngramError(.invalidIdentifier) {
            try validator.memory(
                MemoryDraft(userID: "alice", content: "hello", entity: EntityReference(system: " ", id: "1")),
                dimension: 4)
        }
        expectEngramError(.invalidVector) {
            try validator.memory(MemoryDraft(userID: "alice", content: "hello", embedding: [1, 0, 0]), dimension: 4)
        }
        expectEngramError(.invalidVector) {
            try validator.memory(
                MemoryDraft(userID: "alice", content: "hello", embedding: [1, .nan, 0, 0]), dimension: 4)
        }
        let normalised = try validator.memory(
            MemoryDraft(
                userID: " alice ", content: "hello", sessionID: "", tags: ["x", " x "],
                entity: EntityReference(system: " crm ", id: " 42 ", type: ""), embedding: [1, 0, 0, 0]),
            dimension: 4)
        #expect(normalised.userID == "alice")
        #expect(normalised.sessionID == nil)
        #expect(normalised.tags == ["x"])
        #expect(normalised.entity == EntityReference(system: "crm", id: "42", type: nil))
    }

    @Test func patchChecksContent() throws {
        expectEngramError(.emptyContent) { try validator.patch(MemoryPatch(content: "  ")) }
        let patch = try validator.patch(MemoryPatch(content: "new", tags: ["a", "a"]))
        #expect(patch.content == "new")
        #expect(patch.tags == ["a"])
    }

    @Test func recallQueryIsChecked() throws {
        expectEngramError(.invalidArgument) { try validator.recall(RecallQuery(userID: "alice", text: "q", k: 0)) }
        expectEngramError(.invalidArgument) { try validator.recall(RecallQuery(userID: "alice", text: "q", k: -3)) }
        expectEngramError(.invalidArgument) { try validator.recall(RecallQuery(userID: "alice", text: "q", k: 1001)) }
        expectEngramError(.emptyContent) { try validator.recall(RecallQuery(userID: "alice", text: " ")) }
        expectEngramError(.invalidIdentifier) { try validator.recall(RecallQuery(userID: "", text: "q")) }
        expectEngramError(.invalidArgument) {
            try validator.recall(RecallQuery(userID: "alice", text: "q", minScore: 2))
        }
        expectEngramError(.invalidArgument) {
            try validator.recall(RecallQuery(userID: "alice", text: "q", weights: RecallWeights(similarity: -1)))
        }
        expectEngramError(.invalidArgument) {
            try validator.recall(RecallQuery(userID: "alice", text: "q", weights: RecallWeights(link: .nan)))
        }
        let ok = try validator.recall(RecallQuery(userID: " alice ", text: "q", k: 1000))
        #expect(ok.userID == "alice")
        #expect(ok.k == 1000)
    }
}
