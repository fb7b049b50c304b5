import EngramCore

/// The scripted conversation and memories of `engram demo`.
enum DemoScript {
    /// The session the demo writes to; reused on every run.
    static let sessionID = "demo-session"

    /// The conversation, in order.
    static let conversation: [(role: MessageRole, text: String)] = [
        (.user, "Hi! Quick intro: I'm vegetarian and I live in Lisbon."),
        (.assistant, "Nice to meet you! Noted: vegetarian, based in Lisbon."),
        (.user, "I'm learning Rust at the moment, mostly on weekends."),
        (.assistant, "Great choice. Shall I give you small exercises on ownership and borrowing?"),
        (.user, "Yes please. Keep them short: my dog Miso needs a walk every evening."),
        (.assistant, "Understood: short sessions that end before Miso's walk."),
        (.user, "Big news: today's team meeting decided to move our backend from Python to Rust!"),
        (.assistant, "Exciting! That makes your Rust practice directly useful at work."),
    ]

    /// One memory the demo stores.
    struct Item {
        /// A short name, used to link memories.
        var key: String
        var content: String
        var sector: Sector = .semantic
        var contextType: ContextType = .conversationFact
        var salience = 0.5
        var importance = 0.5
        var tags: [String] = []
        var keywords: [String] = []
        /// Indexes into ``conversation`` of the messages it was drawn from.
        var sources: [Int] = []
        var entity: EntityReference?
        var entityData: JSONValue?
    }

    /// The memories, across all five sectors.
    static let memories: [Item] = [
        Item(
            key: "diet", content: "The user is vegetarian: they eat no meat or fish.", salience: 0.8,
            importance: 0.8, tags: ["diet", "food", "preference"], keywords: ["vegetarian", "eat"], sources: [0]),
        Item(
            key: "home", content: "The user lives in Lisbon, Portugal.", salience: 0.6,
            tags: ["location"], keywords: ["Lisbon"], sources: [0]),
        Item(
            key: "rust", content: "The user is learning the Rust programming language, mostly on weekends.",
            salience: 0.7, importance: 0.7, tags: ["learning", "programming"], keywords: ["Rust"], sources: [2]),
        Item(
            key: "dog", content: "The user's pet is a dog named Miso who needs a walk every evening.",
            salience: 0.6, tags: ["pet", "dog"], keywords: ["Miso"], sources: [4]),
        Item(
            key: "short", content: "Keep tutoring sessions short so they end before the evening dog walk.",
            sector: .procedural, contextType: .userSelection, salience: 0.6, tags: ["preference", "schedule"],
            sources: [4, 5]),
        Item(
            key: "decision", content: "The team meeting decided to move the backend from Python to Rust.",
            sector: .episodic, contextType: .completedAction, salience: 0.7, importance: 0.8,
            tags: ["work", "decision", "programming"], keywords: ["Python", "Rust"], sources: [6]),
        Item(
            key: "excited", content: "The user was excited that the team chose Rust.", sector: .emotional,
            salience: 0.5, tags: ["work", "feeling"], sources: [6]),
        Item(
            key: "exercises", content: "The user learns best with small hands-on exercises.", sector: .reflective,
            salience: 0.5, tags: ["learning"], sources: [3, 4]),
    ]

    /// The entity written twice: the second write merges into the first.
    static let entityFirst = Item(
        key: "miso", content: "Pet profile: Miso, a dog.", contextType: .domainEntity, salience: 0.6,
        tags: ["pet"], entity: EntityReference(system: "demo", id: "pet-miso", type: "pet"),
        entityData: .object(["name": .string("Miso"), "species": .string("dog")]))

    /// The second write of the entity, with new data.
    static let entitySecond = Item(
        key: "miso", content: "Pet profile: Miso, a dog walked every evening.", contextType: .domainEntity,
        salience: 0.6, tags: ["pet"], entity: EntityReference(system: "demo", id: "pet-miso", type: "pet"),
        entityData: .object(["walks": .string("every evening")]))

    /// Links between memories, by key: (source, type, target).
    static let links: [(source: String, type: LinkType, target: String)] = [
        ("decision", .ledTo, "excited"),
        ("short", .dependsOn, "dog"),
        ("dog", .relatesTo, "miso"),
        ("rust", .relatesTo, "decision"),
    ]

    /// The questions the demo asks.
    static let queries = ["what does the user eat?", "pet", "programming language"]

    /// The draft of `item` for `userID`, with source message ids looked up in `messageIDs`.
    static func draft(_ item: Item, userID: String, sessionID: String, messageIDs: [String]) -> MemoryDraft {
        MemoryDraft(
            userID: userID, content: item.content, sessionID: sessionID, sector: item.sector,
            contextType: item.contextType, salience: item.salience, importance: item.importance, tags: item.tags,
            keywords: item.keywords, entity: item.entity, entityData: item.entityData,
            sourceMessageIDs: item.sources.compactMap { $0 < messageIDs.count ? messageIDs[$0] : nil })
    }
}
