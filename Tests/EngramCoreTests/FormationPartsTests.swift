import EngramCore
import Foundation
import Testing

@Suite struct RelativeDateResolverTests {
    func resolved(_ phrase: String) -> Date? {
        RelativeDateResolver.resolve(phrase, relativeTo: mondayAfternoon)
    }

    @Test func relativeDaysAndWeeks() {
        #expect(resolved("yesterday") == utcDay(2023, 5, 7))
        #expect(resolved("today") == utcDay(2023, 5, 8))
        #expect(resolved("tomorrow") == utcDay(2023, 5, 9))
        #expect(resolved("the day before yesterday") == utcDay(2023, 5, 6))
        #expect(resolved("two days ago") == utcDay(2023, 5, 6))
        #expect(resolved("3 weeks ago") == utcDay(2023, 4, 17))
        #expect(resolved("a few days ago") == utcDay(2023, 5, 5))
        #expect(resolved("last week") == utcDay(2023, 5, 1))
        #expect(resolved("next week") == utcDay(2023, 5, 15))
        #expect(resolved("in 3 days") == utcDay(2023, 5, 11))
    }

    @Test func weekdaysWeekendsMonthsAndYears() {
        #expect(resolved("next Friday") == utcDay(2023, 5, 12))
        #expect(resolved("last Saturday") == utcDay(2023, 5, 6))
        #expect(resolved("last Monday") == utcDay(2023, 5, 1))
        #expect(resolved("this weekend") == utcDay(2023, 5, 13))
        #expect(resolved("last weekend") == utcDay(2023, 5, 6))
        #expect(resolved("last month") == utcDay(2023, 4, 1))
        #expect(resolved("next month") == utcDay(2023, 6, 1))
        #expect(resolved("last year") == utcDay(2022, 1, 1))
        #expect(resolved("last March") == utcDay(2023, 3, 1))
        #expect(resolved("two years ago") == utcDay(2021, 1, 1))
    }

    @Test func absoluteDates() {
        #expect(resolved("8 May 2023") == utcDay(2023, 5, 8))
        #expect(resolved("8 May, 2023") == utcDay(2023, 5, 8))
        #expect(resolved("May 8") == utcDay(2023, 5, 8))
        #expect(resolved("June 3rd, 2021") == utcDay(2021, 6, 3))
        #expect(resolved("the 4th of July") == utcDay(2023, 7, 4))
        #expect(resolved("2023-05-08") == utcDay(2023, 5, 8))
        #expect(resolved("in 2019") == utcDay(2019, 1, 1))
        #expect(resolved("I may go") == nil)
        #expect(resolved("nothing here") == nil)
    }
}

@Suite struct EntityNameTests {
    @Test func keysFoldCaseSpacingPunctuationAndTheLeadingThe() {
        #expect(EntityName.key("The  New-York  City!") == "new york city")
        #expect(EntityName.key("  Zoë's   Café ") == "zoes cafe")
        #expect(EntityName.key("NYC") == "nyc")
        #expect(EntityName.key("the") == "the")
    }

    @Test func acronymsAndExpansionsMatch() {
        let short = EntityName.entity("NYC", kind: .place)
        let long = EntityName.entity("New York City", kind: .place)
        #expect(short.aliases.contains("new york city"))
        #expect(long.aliases.contains("nyc"))
        #expect(EntityName.sameEntity(short, long))
        #expect(
            EntityName.sameEntity(
                EntityName.entity("USA", kind: .place), EntityName.entity("United States", kind: .place)))
        #expect(EntityName.aliases(forKey: "world wide fund").contains("wwf"))
        #expect(EntityName.aliases(forKey: "anna").isEmpty)
    }

    @Test func differentEntitiesDoNotMatch() {
        #expect(
            !EntityName.sameEntity(EntityName.entity("Boston", kind: .place), EntityName.entity("Denver", kind: .place))
        )
        let day = EntityName.entity("May", kind: .date)
        #expect(!EntityName.sameEntity(day, EntityName.entity("May", kind: .person)))
    }
}

@Suite struct EmotionAnalyzerTests {
    let analyzer = EmotionAnalyzer()

    @Test func lexiconLoadsFromTheBundle() {
        #expect(EmotionLexicon.shared.valence.count > 7000)
        #expect(EmotionLexicon.shared.emotions["happy"]?.contains("joy") == true)
    }

    @Test func positiveNegativeAndNone() throws {
        let happy = try #require(analyzer.read("I'm so happy and excited about the trip!"))
        #expect(happy.valence > 0.5)
        #expect(happy.primaryEmotion == "joy")
        #expect((happy.discreteEmotions["joy"] ?? 0) > 0.5)
        let sad = try #require(analyzer.read("I feel sad and lonely since my dog died."))
        #expect(sad.valence < -0.3)
        #expect(sad.primaryEmotion == "sadness")
        #expect(sad.arousal < happy.arousal)
        #expect(analyzer.read("The meeting is at noon on Tuesday.") == nil)
    }

    @Test func negationFlipsAndIntensityRaisesArousal() throws {
        let happy = try #require(analyzer.read("I am happy."))
        let notHappy = try #require(analyzer.read("I am not happy."))
        #expect(happy.valence > 0)
        #expect(notHappy.valence < 0)
        #expect(notHappy.primaryEmotion == "sadness")
        let loud = try #require(analyzer.read("I am SO happy!!!"))
        #expect(loud.valence > happy.valence)
        #expect(loud.arousal > happy.arousal)
        #expect((0...1).contains(loud.confidence))
    }
}

@Suite struct SectorClassifierTests {
    @Test func evidenceAndSimilarityDecideAndEpisodicIsTheDefault() {
        #expect(SectorClassifier.classify(evidence: [:]) == .episodic)
        #expect(SectorClassifier.classify(evidence: [.semantic: 0.7]) == .semantic)
        let similarity: [Sector: Double] = [
            .episodic: 0.2, .semantic: 0.21, .procedural: 0.6, .emotional: 0.25, .reflective: 0.3,
        ]
        #expect(SectorClassifier.classify(evidence: [:], prototypeSimilarity: similarity) == .procedural)
        #expect(SectorClassifier.classify(evidence: [.emotional: 0.9], prototypeSimilarity: similarity) == .emotional)
        #expect(Sector.allCases.allSatisfy { (SectorClassifier.prototypes[$0]?.count ?? 0) >= 3 })
    }
}

@Suite struct HeuristicSummarizerTests {
    @Test func summaryNamesDateSpeakersTopicsAndFactsWithinBounds() async throws {
        let lines: [(String, String)] = [
            ("Caroline", "Hey Mel! How have you been?"),
            ("Melanie", "Hi Caroline! I'm swamped with the kids and work."),
            ("Caroline", "I went to a support group yesterday and it was so powerful."),
            ("Melanie", "Wow! I painted a lake sunrise last year, painting helps me relax."),
            ("Caroline", "I'm going to study counseling next year."),
            ("Melanie", "That's great. I love painting with my kids."),
        ]
        let turns = lines.enumerated().map { index, line in
            Turn(
                text: line.1, speaker: line.0, listener: line.0 == "Caroline" ? "Melanie" : "Caroline",
                timestamp: mondayAfternoon.addingTimeInterval(Double(index) * 60))
        }
        let summary = try await HeuristicSummarizer().summarize(turns)
        #expect(summary.hasPrefix("On 8 May 2023, Caroline and Melanie talked about:"))
        #expect(summary.contains("Caroline went to a support group on 7 May 2023."))
        #expect(summary.count <= 600)
        let short = HeuristicSummarizer(maxLength: 120).summarizeSync(turns)
        #expect(short.count <= 120)
        #expect(short.contains("Caroline and Melanie"))
        #expect(HeuristicSummarizer().summarizeSync([]) == "")
        #expect(HeuristicSummarizer().summarizeSync(turns) == summary)
    }
}
