import EngramCore
import Testing

@Suite struct EngramEnumTests {
    @Test func unknownValueIsInvalidEnumValueListingTheAllowedOnes() {
        let error = expectEngramError(.invalidEnumValue) { try Sector.parse("bogus") }
        #expect(error?.message.contains("episodic") == true)
        #expect(error?.message.contains("semantic") == true)
        #expect(error?.message.contains("sector") == true)
        expectEngramError(.invalidEnumValue) { try Sector.parse("") }
        expectEngramError(.invalidEnumValue) { try ContextType.parse("search result") }
        expectEngramError(.invalidEnumValue) { try LinkType.parse("ledto") }
        expectEngramError(.invalidEnumValue) { try ForgetMode.parse("permanent") }
    }

    @Test func parsingIsCaseInsensitiveAndTrimsSpaces() throws {
        #expect(try Sector.parse("EPISODIC") == .episodic)
        #expect(try Sector.parse(" Semantic ") == .semantic)
        #expect(try ContextType.parse("Search_Result") == .searchResult)
        #expect(try LinkType.parse("LED_TO") == .ledTo)
        #expect(try MessageRole.parse("Assistant") == .assistant)
        #expect(try UserRole.parse("ADMIN") == .admin)
        #expect(try FactType.parse("Preference") == .preference)
        #expect(try LinkOrigin.parse("Auto") == .auto)
        #expect(try ForgetMode.parse("HARD") == .hard)
    }

    @Test func everyCaseRoundTripsThroughItsRawValue() throws {
        func roundTrip<E: EngramEnum>(_: E.Type) throws {
            for value in E.allCases { #expect(try E.parse(value.rawValue) == value) }
        }
        try roundTrip(UserRole.self)
        try roundTrip(MessageRole.self)
        try roundTrip(Sector.self)
        try roundTrip(ContextType.self)
        try roundTrip(LinkType.self)
        try roundTrip(LinkOrigin.self)
        try roundTrip(FactType.self)
        try roundTrip(ForgetMode.self)
        #expect(Sector.allCases.count == 5)
        #expect(ContextType.allCases.count == 7)
        #expect(LinkType.allCases.count == 10)
    }

    @Test func waypointLinkTypes() {
        #expect(Set(LinkType.allCases.filter(\.isWaypoint)) == [.semantic, .temporal, .causal, .analogical])
    }
}
