import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Personas (agents with a template, mode, loop frequency, first message and picture) and their modules, on every
/// backend.
@Suite struct PersonaModuleTests {
    @Test(arguments: Backend.allCases)
    func personaFieldsAreStoredPatchedAndCleared(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let persona = PersonaFields(
            template: "You are Ava. {modules}", mode: " autonomous ", loopFrequency: "5m", firstMessage: "Hello!",
            imagePath: "images/ava.png")
        let created = try await h.store.createAgent(
            AgentDraft(userID: "alice", id: "ava", name: "Ava", persona: persona))
        #expect(created.template == "You are Ava. {modules}")
        #expect(created.mode == "autonomous")
        #expect(created.loopFrequency == "5m")
        #expect(created.firstMessage == "Hello!")
        #expect(created.imagePath == "images/ava.png")
        #expect(try await h.store.agent(userID: "alice", id: "ava") == created)

        h.clock.advance(by: 10)
        let patched = try await h.store.updateAgent(
            userID: "alice", id: "ava", AgentPatch(persona: PersonaFields(mode: "reactive", loopFrequency: "")))
        #expect(patched.mode == "reactive")
        #expect(patched.loopFrequency == nil)
        #expect(patched.template == created.template)
        #expect(patched.firstMessage == created.firstMessage)
        #expect(patched.updatedAt == h.now)
        #expect(try await h.store.agents(userID: "alice") == [patched])

        let before = try await h.snapshot()
        await expectEngramError(.contentTooLarge) {
            try await h.store.updateAgent(
                userID: "alice", id: "ava", AgentPatch(persona: PersonaFields(mode: String(repeating: "m", count: 51))))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.createAgent(
                AgentDraft(userID: "alice", name: "Bad", persona: PersonaFields(imagePath: "a\nb")))
        }
        #expect(try await h.snapshot() == before)
    }

    @Test(arguments: Backend.allCases)
    func modulesAreCreatedListedByStageThenNameAndUpdated(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.store.createModule(
            ModuleDraft(
                userID: "alice", id: "memory", name: "memory", description: "recalls", content: "Use what you know.",
                triggerPattern: "remember|recall"))
        #expect(memory.type == .simple)
        #expect(memory.executionContext == .immediate)
        #expect(memory.stagePriority == 100)
        #expect(memory.isActive)
        #expect(!memory.requiresAIInference)
        #expect(memory.createdAt == h.now)
        let journal = try await h.store.createModule(
            ModuleDraft(
                userID: "alice", name: "journal", type: .advanced, script: "journal.append(turn)",
                executionContext: .postResponse, requiresAIInference: true, stagePriority: 200))
        #expect(!journal.id.isEmpty)
        _ = try await h.store.createModule(
            ModuleDraft(userID: "alice", id: "greet", name: "greet", content: "Say hi.", stagePriority: 10))
        _ = try await h.store.createModule(
            ModuleDraft(userID: "alice", id: "aside", name: "aside", content: "Be brief.", isActive: false))
        #expect(try await h.store.module(userID: "alice", id: "memory") == memory)
        #expect(try await h.store.modules(userID: "alice").map(\.name) == ["greet", "memory", "journal"])
        #expect(
            try await h.store.modules(userID: "alice", includeInactive: true).map(\.name) == [
                "greet", "aside", "memory", "journal",
            ])

        h.clock.advance(by: 30)
        let updated = try await h.store.updateModule(
            userID: "alice", id: "memory",
            ModulePatch(description: "", triggerPattern: "", stagePriority: 5, isActive: false))
        #expect(updated.description == nil)
        #expect(updated.triggerPattern == nil)
        #expect(updated.stagePriority == 5)
        #expect(!updated.isActive)
        #expect(updated.content == "Use what you know.")
        #expect(updated.createdAt == memory.createdAt)
        #expect(updated.updatedAt == h.now)
        #expect(try await h.store.module(userID: "alice", id: "memory") == updated)
        let converted = try await h.store.updateModule(
            userID: "alice", id: "greet", ModulePatch(type: .advanced, script: "greet(user)", isActive: true))
        #expect(converted.type == .advanced)
        #expect(converted.content == "Say hi.")

        let actions = try await h.store.auditLog(userID: "alice", before: nil, limit: 10).map(\.action)
        #expect(actions.filter { $0.hasPrefix("module.") }.count == 6)
        #expect(actions.first == "module.update")
    }

    @Test(arguments: Backend.allCases)
    func matchReturnsActiveTriggeredModulesByStage(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let drafts = [
            ModuleDraft(
                userID: "alice", id: "weather", name: "weather", content: "Give the forecast.",
                triggerPattern: #"\b(rain|sunny?)\b"#, stagePriority: 50),
            ModuleDraft(
                userID: "alice", id: "memory", name: "memory", content: "Recall first.", triggerPattern: "remember",
                stagePriority: 10),
            ModuleDraft(userID: "alice", id: "always", name: "always", content: "No trigger."),
            ModuleDraft(
                userID: "alice", id: "off", name: "off", content: "Inactive.", triggerPattern: "rain",
                isActive: false),
        ]
        for draft in drafts { _ = try await h.store.createModule(draft) }
        let matched = try await h.store.modules(userID: "alice", matching: "Do you REMEMBER if it will rain?")
        #expect(matched.map(\.id) == ["memory", "weather"])
        #expect(try await h.store.modules(userID: "alice", matching: "sunny day").map(\.id) == ["weather"])
        #expect(try await h.store.modules(userID: "alice", matching: "brainstorm").isEmpty)
        await expectEngramError(.emptyContent) { try await h.store.modules(userID: "alice", matching: "  ") }
    }

    @Test(arguments: Backend.allCases)
    func deleteRemovesTheModuleAndIsAudited(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        _ = try await h.store.createModule(ModuleDraft(userID: "alice", id: "m", name: "m", content: "text"))
        try await h.store.deleteModule(userID: "alice", id: "m")
        await expectEngramError(.moduleNotFound) { try await h.store.module(userID: "alice", id: "m") }
        await expectEngramError(.moduleNotFound) { try await h.store.deleteModule(userID: "alice", id: "m") }
        #expect(try await h.store.modules(userID: "alice", includeInactive: true).isEmpty)
        #expect(try await h.store.auditLog(userID: "alice", before: nil, limit: 1).first?.action == "module.delete")
        // The name is free again.
        _ = try await h.store.createModule(ModuleDraft(userID: "alice", id: "m2", name: "m", content: "text"))
    }

    @Test(arguments: Backend.allCases)
    func invalidModulesChangeNothing(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        _ = try await h.store.createModule(
            ModuleDraft(userID: "alice", id: "memory", name: "memory", content: "Recall first."))
        _ = try await h.store.createModule(
            ModuleDraft(userID: "alice", id: "journal", name: "journal", content: "Write it down."))
        let before = try await h.snapshot()

        await expectEngramError(.alreadyExists) {
            try await h.store.createModule(ModuleDraft(userID: "alice", name: "memory", content: "again"))
        }
        await expectEngramError(.alreadyExists) {
            try await h.store.createModule(ModuleDraft(userID: "alice", id: "memory", name: "other", content: "x"))
        }
        await expectEngramError(.alreadyExists) {
            try await h.store.updateModule(userID: "alice", id: "journal", ModulePatch(name: "memory"))
        }
        let badRegex = await expectEngramError(.invalidArgument) {
            try await h.store.createModule(
                ModuleDraft(userID: "alice", name: "broken", content: "x", triggerPattern: "(unclosed"))
        }
        #expect(badRegex?.message.contains("regular expression") == true)
        #expect(badRegex?.message.contains("unclosed") == false)
        await expectEngramError(.invalidArgument) {
            try await h.store.updateModule(userID: "alice", id: "memory", ModulePatch(triggerPattern: "[a-"))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.createModule(ModuleDraft(userID: "alice", name: "empty"))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.createModule(ModuleDraft(userID: "alice", name: "noscript", type: .advanced))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.updateModule(userID: "alice", id: "memory", ModulePatch(content: ""))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.updateModule(userID: "alice", id: "memory", ModulePatch(stagePriority: -1))
        }
        await expectEngramError(.emptyContent) {
            try await h.store.createModule(ModuleDraft(userID: "alice", name: "  ", content: "x"))
        }
        await expectEngramError(.moduleNotFound) {
            try await h.store.updateModule(userID: "alice", id: "ghost", ModulePatch(isActive: false))
        }
        await expectEngramError(.userNotFound) {
            try await h.store.createModule(ModuleDraft(userID: "nobody", name: "x", content: "x"))
        }
        #expect(try await h.snapshot() == before)
    }

    @Test(arguments: Backend.allCases)
    func anotherUsersModulesAreInvisible(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        try await h.user("bob")
        _ = try await h.store.createModule(
            ModuleDraft(userID: "alice", id: "secret", name: "secret", content: "Alice's.", triggerPattern: "hello"))
        await expectEngramError(.moduleNotFound) { try await h.store.module(userID: "bob", id: "secret") }
        await expectEngramError(.moduleNotFound) {
            try await h.store.updateModule(userID: "bob", id: "secret", ModulePatch(isActive: false))
        }
        await expectEngramError(.moduleNotFound) { try await h.store.deleteModule(userID: "bob", id: "secret") }
        #expect(try await h.store.modules(userID: "bob", includeInactive: true).isEmpty)
        #expect(try await h.store.modules(userID: "bob", matching: "hello").isEmpty)
        // Names are unique per user only.
        let bobs = try await h.store.createModule(
            ModuleDraft(userID: "bob", id: "secret", name: "secret", content: "Bob's."))
        #expect(try await h.store.module(userID: "alice", id: "secret").content == "Alice's.")
        #expect(bobs.content == "Bob's.")
    }

    @Test(arguments: Backend.allCases)
    func exportEraseImportKeepsModulesAndPersonas(backend: Backend) async throws {
        let h = try Harness(backend)
        try await buildRichDataset(h, userID: "alice")
        let records = try await h.store.export(userID: "alice")
        let lines = try records.map(ExportCodec.line)
        let modules = try await h.store.modules(userID: "alice", includeInactive: true)
        let tutor = try await h.store.agent(userID: "alice", id: "tutor")
        #expect(modules.count == 2)
        #expect(tutor.template != nil)

        let receipt = try await h.store.eraseUser("alice")
        #expect(receipt.deleted["modules"] == 2)
        _ = try await h.store.importRecords(records, scope: .user("alice"))
        #expect(try await h.store.modules(userID: "alice", includeInactive: true) == modules)
        #expect(try await h.store.agent(userID: "alice", id: "tutor") == tutor)
        // The erasure's own audit line follows the imported ones; every other line is as exported.
        let reexported = try await h.exportLines()
        #expect(
            reexported.filter { !$0.contains("\"table\":\"audit_log\"") }
                == lines.filter {
                    !$0.contains("\"table\":\"audit_log\"")
                })
        #expect(try await h.store.modules(userID: "alice", matching: "help me").map(\.id) == ["hints"])
    }
}
