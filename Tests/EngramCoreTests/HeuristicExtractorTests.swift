import EngramCore
import Foundation
import Testing

/// 2023-05-08 13:56 UTC, a Monday.
let mondayAfternoon = Date(timeIntervalSince1970: 1_683_554_160)

/// 00:00 UTC of `year`-`month`-`day`.
func utcDay(_ year: Int, _ month: Int, _ day: Int) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day))!
}

/// The extraction of `text` said by Caroline to Melanie on Monday 8 May 2023.
func extraction(_ text: String, speaker: String? = "Caroline", caption: String? = nil) -> TurnExtraction {
    let turn = Turn(
        text: text, speaker: speaker, listener: speaker == nil ? nil : "Melanie", timestamp: mondayAfternoon,
        imageCaption: caption)
    return HeuristicExtractor().extractSync(turn)
}

/// The only fact of `text` with `predicate`.
func fact(_ text: String, _ predicate: String, speaker: String? = "Caroline") -> ExtractedFact? {
    extraction(text, speaker: speaker).facts.first { $0.predicate == predicate }
}

@Suite struct HeuristicExtractorTests {
    @Test func preferencesHaveAStablePredicateAndValue() throws {
        let likes = try #require(fact("I love hiking in the mountains.", "likes"))
        #expect(likes.type == .preference)
        #expect(likes.subject == "Caroline")
        #expect(likes.value == "hiking in the mountains")
        #expect(likes.content == "Caroline loves hiking in the mountains.")
        #expect(likes.confidence >= 0.8)

        let dislikes = try #require(fact("I really don't like crowded trains", "dislikes"))
        #expect(dislikes.type == .preference)
        #expect(dislikes.value == "crowded trains")

        let favourite = try #require(fact("My favorite color is blue.", "favourite_colour"))
        #expect(favourite.type == .preference)
        #expect(favourite.value == "blue")
        let reversed = try #require(fact("Green is my favourite colour!", "favourite_colour"))
        #expect(reversed.value == "Green")
    }

    @Test func twoHomesShareSubjectAndPredicateWithDifferentValues() throws {
        let before = try #require(fact("I live in Boston.", "lives_in"))
        let after = try #require(fact("Well, I now live in Denver", "lives_in"))
        #expect(before.type == .fact)
        #expect(before.subject == after.subject)
        #expect(before.value == "Boston")
        #expect(after.value == "Denver")
        #expect(HeuristicExtractor.isSingleValued("lives_in"))
        #expect(HeuristicExtractor.isSingleValued("favourite_colour"))
        #expect(!HeuristicExtractor.isSingleValued("likes"))
    }

    @Test func personalFacts() throws {
        let job = try #require(fact("I'm a nurse at the children's hospital.", "works_as"))
        #expect(job.type == .fact)
        #expect(job.value == "nurse")
        #expect(job.content.hasPrefix("Caroline is a nurse"))
        let kids = try #require(fact("I have two kids.", "has_kid"))
        #expect(kids.value == "two kids")
        let sister = try #require(fact("My sister is Anna.", "has_sister"))
        #expect(sister.type == .relationship)
        #expect(sister.value == "Anna")
        let origin = try #require(fact("I'm from Sweden originally", "is_from"))
        #expect(origin.value?.hasPrefix("Sweden") == true)
    }

    @Test func relationships() throws {
        let named = try #require(fact("I went hiking with my sister Anna.", "has_sister"))
        #expect(named.type == .relationship)
        #expect(named.value == "Anna")
        let friend = try #require(fact("Tom is my best friend.", "has_best_friend"))
        #expect(friend.value == "Tom")
        let married = try #require(fact("I married Jake in 2019.", "married_to"))
        #expect(married.type == .relationship)
        #expect(married.value == "Jake")
    }

    @Test func plansAndGoals() throws {
        let plan = try #require(fact("I'm going to run a marathon next month.", "plans_to"))
        #expect(plan.type == .goal)
        #expect(plan.value == "run a marathon")
        #expect(plan.occurredAt == utcDay(2023, 6, 1))
        #expect(plan.content == "Caroline is going to run a marathon in June 2023.")
        let want = try #require(fact("I want to learn the piano", "wants_to"))
        #expect(want.type == .goal)
        #expect(want.value == "learn the piano")
        let trip = try #require(fact("We're planning to visit Japan in the spring.", "plans_to"))
        #expect(trip.subject == "Caroline")
        #expect(trip.value?.hasPrefix("visit Japan") == true)
    }

    @Test func pastEventsResolvePronounsAndDates() throws {
        let event = try #require(fact("I went to a support group yesterday and it was so powerful.", "went_to"))
        #expect(event.type == .event)
        #expect(event.subject == "Caroline")
        #expect(event.value == "a support group")
        #expect(event.occurredAt == utcDay(2023, 5, 7))
        #expect(event.content == "Caroline went to a support group on 7 May 2023.")

        let fronted = try #require(fact("Yesterday I ran a marathon!", "ran"))
        #expect(fronted.content == "Caroline ran a marathon on 7 May 2023.")
        #expect(fronted.value == "a marathon")

        let adopted = try #require(fact("We adopted a dog last week.", "adopted"))
        #expect(adopted.subject == "Caroline")
        #expect(adopted.value == "a dog")
        #expect(adopted.occurredAt == utcDay(2023, 5, 1))

        let job = try #require(fact("I got a new job two days ago", "got"))
        #expect(job.value == "a new job")
        #expect(job.occurredAt == utcDay(2023, 5, 6))
    }

    @Test func instructionsAndOpinions() throws {
        let always = try #require(extraction("Always answer in French, please.").facts.first)
        #expect(always.type == .instruction)
        #expect(always.content.contains("always answer in French"))
        let name = try #require(fact("Please call me Sam.", "preferred_name"))
        #expect(name.type == .instruction)
        #expect(name.value == "Sam")
        let opinion = try #require(fact("I think that remote work is better for families.", "thinks"))
        #expect(opinion.type == .opinion)
        #expect(opinion.value == "remote work is better for families")
        #expect(opinion.confidence < 0.7)
        let best = try #require(extraction("Pottery is the best way to relax.").facts.first)
        #expect(best.type == .opinion)
    }

    @Test func contractionsAfterAReplacedPronounAreSpelledOut() throws {
        let plan = try #require(fact("We're thinking about going camping next month.", "considers"))
        #expect(plan.content == "Caroline and others are thinking about going camping in June 2023.")
        let promise = try #require(fact("I'll let you know!", "plans_to"))
        #expect(promise.content == "Caroline will let Melanie know.")
        let praise = PronounResolver(turn: Turn(text: "", speaker: "Caroline", listener: "Melanie", timestamp: .now))
        #expect(praise.resolve("You're a great painter.", at: mondayAfternoon) == "Melanie is a great painter.")
        let sister = try #require(fact("I went hiking with my sister Anna.", "has_sister"))
        #expect(sister.content == "Caroline's sister is Anna.")
    }

    @Test func bareImperativesAreInstructionsOnlyWhenAddressedToTheAgent() {
        let toAgent = Turn(text: "Use metric units.", speaker: "Sam", timestamp: mondayAfternoon)
        #expect(HeuristicExtractor().extractSync(toAgent).facts.first?.type == .instruction)
        #expect(extraction("Keep up the great work!").facts.isEmpty)
    }

    @Test func wishesAndConditionsStateNoFacts() {
        #expect(extraction("I wish I had known you back then!").facts.isEmpty)
        #expect(extraction("If I moved to Paris, I would miss you.").facts.allSatisfy { $0.predicate != "moved_to" })
    }

    @Test func datesOfOtherClausesStayThere() throws {
        let took = try #require(fact("Last Fri I took my kids to a pottery workshop.", "took"))
        #expect(took.occurredAt == utcDay(2023, 5, 5))
        let camping = try #require(fact("We went camping two weekends ago.", "went"))
        #expect(camping.occurredAt == utcDay(2023, 4, 24))
        let mentor = try #require(fact("I mentor a teen, and it started three years ago.", "mentors"))
        #expect(mentor.occurredAt == nil)
    }

    @Test func hedgedFactsAreLessCertain() throws {
        let sure = try #require(fact("I'm going to move to Denver.", "plans_to"))
        let hedged = try #require(fact("Maybe I'm going to move to Denver.", "plans_to"))
        #expect(hedged.confidence < sure.confidence)
        #expect(hedged.confidence <= 0.6)
    }

    @Test func questionsAndGreetingsYieldNoFacts() {
        #expect(extraction("Hey Mel! Good to see you!").facts.isEmpty)
        #expect(extraction("What kind of jobs are you thinking of?").facts.isEmpty)
        #expect(extraction("Do you like hiking").facts.isEmpty)
        #expect(extraction("Thanks, Melanie!").facts.isEmpty)
    }

    @Test func oneTurnMayHoldSeveralFacts() {
        let facts = extraction("I live in Boston. I love jazz and I want to learn the saxophone.").facts
        let predicates = Set(facts.compactMap(\.predicate))
        #expect(predicates.isSuperset(of: ["lives_in", "likes", "wants_to"]))
    }

    @Test func pronounsWithoutASpeakerNameTheUser() throws {
        let home = try #require(fact("I live in Paris.", "lives_in", speaker: nil))
        #expect(home.subject == "the user")
        #expect(home.content == "The user lives in Paris.")
    }

    @Test func entitiesHaveKinds() {
        let entities = extraction(
            "Hey Mel! My sister Anna and I flew to New York City on 3 June 2023 to visit Columbia University.",
            caption: "a photo of the Eiffel Tower in Paris"
        ).entities
        func kind(_ key: String) -> EntityKind? { entities.first { $0.key == key }?.kind }
        #expect(kind("mel") == .person)
        #expect(kind("anna") == .person)
        #expect(kind("new york city") == .place)
        #expect(kind("columbia university") == .organisation)
        #expect(kind("paris") == .place)
        #expect(kind("2023-06-03") == .date)
        #expect(entities.first { $0.kind == .date }?.date == utcDay(2023, 6, 3))
        #expect(entities.first { $0.key == "new york city" }?.aliases.contains("nyc") == true)
        #expect(kind("hey") == nil)
        #expect(kind("i") == nil)
        #expect(entities.allSatisfy { $0.kind != .person || $0.key != "my" })
    }

    @Test func relativeDateEntitiesCarryTheAbsoluteDate() throws {
        let date = try #require(extraction("I went there yesterday.").entities.first { $0.kind == .date })
        #expect(date.name == "7 May 2023")
        #expect(date.key == "2023-05-07")
        #expect(date.date == utcDay(2023, 5, 7))
    }

    @Test func keywordsAreContentWords() {
        let keywords = extraction("I went to a LGBTQ support group yesterday and it was so powerful.").keywords
        #expect(keywords.contains("support"))
        #expect(keywords.contains("group"))
        #expect(!keywords.contains("the"))
        #expect(!keywords.contains("and"))
        #expect(keywords.count <= 8)
        #expect(Set(keywords).count == keywords.count)
        #expect(extraction("A photo.", caption: "a dog on a beach").keywords.contains("beach"))
    }

    @Test func captionsAddNoFirstPersonFacts() {
        let result = extraction("Look at this!", caption: "I love dogs")
        #expect(!result.facts.contains { $0.predicate == "likes" })
    }

    @Test func cues() {
        #expect(extraction("I stayed home because I was sick.").cues == [.causal])
        #expect(extraction("That's why I quit.").cues.contains(.causal))
        #expect(extraction("This reminds me of our trip to Rome.").cues == [.analogical])
        #expect(extraction("It was just like when we were kids.").cues.contains(.analogical))
        #expect(extraction("I had pasta for lunch.").cues.isEmpty)
    }

    @Test func sectorEvidence() {
        #expect((extraction("Yesterday I went to the beach in Miami.").sectorEvidence[.episodic] ?? 0) > 0.5)
        #expect(extraction("I live in Boston.").sectorEvidence[.semantic] != nil)
        #expect(extraction("First boil the water, then add the pasta.").sectorEvidence[.procedural] != nil)
        #expect(extraction("Looking back, I realised I was scared.").sectorEvidence[.reflective] != nil)
        #expect((extraction("I'm so happy and excited!!").sectorEvidence[.emotional] ?? 0) > 0.4)
        let event = extraction("I went to a support group yesterday and it was so powerful.").sectorEvidence
        #expect(SectorClassifier.classify(evidence: event) == .episodic)
    }
}
