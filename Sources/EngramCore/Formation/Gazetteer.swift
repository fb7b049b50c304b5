import Foundation

/// Small built-in lists of names the entity recogniser knows the kind of: places, organisation words, and
/// capitalised words that are not entities on their own.
enum Gazetteer {
    /// Keys of well-known countries, US states, cities, regions and continents.
    static let places: Set<String> = Set(
        """
        afghanistan albania algeria argentina armenia australia austria bangladesh belgium bolivia brazil bulgaria
        cambodia canada chile china colombia croatia cuba cyprus czechia denmark ecuador egypt england estonia ethiopia
        finland france germany ghana greece guatemala haiti hungary iceland india indonesia iran iraq ireland israel
        italy jamaica japan jordan kenya korea laos latvia lebanon lithuania luxembourg malaysia mexico mongolia
        morocco nepal netherlands nigeria norway pakistan panama peru philippines poland portugal romania russia
        scotland serbia singapore slovakia slovenia spain sweden switzerland syria taiwan tanzania thailand tunisia
        turkey uganda ukraine uruguay venezuela vietnam wales zimbabwe america britain holland
        alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho
        illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi
        missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia
        washington wisconsin wyoming
        amsterdam athens atlanta austin baltimore bangkok barcelona beijing berlin bogota boston brisbane brooklyn
        brussels budapest cairo calgary charlotte chicago copenhagen dallas delhi denver detroit dubai dublin
        edinburgh florence geneva glasgow hamburg hanoi helsinki honolulu houston istanbul jakarta jerusalem
        johannesburg kyoto lagos lima lisbon liverpool london madrid manchester manhattan melbourne miami milan
        montreal moscow mumbai munich nairobi naples nashville oakland orlando osaka oslo ottawa paris perth
        philadelphia phoenix portland prague quebec reykjavik rome sacramento seattle seoul shanghai singapore
        stockholm sydney taipei tokyo toronto vancouver venice vienna warsaw zurich hollywood queens seville
        africa asia europe antarctica oceania caribbean scandinavia siberia patagonia alps himalayas sahara
        """.split(whereSeparator: \.isWhitespace).map(String.init)
            + [
                "new york", "new york city", "los angeles", "san francisco", "san diego", "san jose", "las vegas",
                "new orleans", "salt lake city", "washington dc", "new jersey", "new mexico", "new hampshire",
                "north carolina", "south carolina", "north dakota", "south dakota", "rhode island", "west virginia",
                "united states", "united kingdom", "united states of america", "new zealand", "south africa",
                "south korea", "north korea", "hong kong", "sri lanka", "costa rica", "puerto rico", "saudi arabia",
                "united arab emirates", "czech republic", "dominican republic", "great britain", "rio de janeiro",
                "buenos aires", "mexico city", "cape town", "tel aviv", "kuala lumpur", "st louis", "long island",
                "north america", "south america", "central park", "grand canyon", "yellowstone", "yosemite",
                "nyc", "la", "sf", "uk", "usa", "us", "dc", "uae", "nz", "eu",
            ])

    /// Last words that make a name a place: "Green Lake", "Main Street".
    static let placeSuffixes: Set<String> = [
        "city", "town", "village", "park", "lake", "river", "mountain", "mountains", "mount", "beach", "street", "st",
        "avenue", "ave", "road", "rd", "boulevard", "island", "islands", "valley", "county", "bay", "canyon", "falls",
        "forest", "state", "province", "coast", "desert", "harbor", "harbour", "square", "museum", "zoo", "garden",
        "gardens", "trail", "peninsula", "springs", "heights", "hills", "airport", "station",
    ]

    /// Words that make a name an organisation: "Acme Inc", "Boston University", "University of Michigan".
    static let organisationWords: Set<String> = [
        "inc", "corp", "corporation", "company", "co", "llc", "ltd", "plc", "gmbh", "university", "college",
        "school", "academy", "institute", "hospital", "clinic", "bank", "foundation", "association", "society",
        "agency", "group", "church", "club", "team", "labs", "studio", "studios", "department", "ministry", "council",
        "center", "centre", "shelter", "charity", "organization", "organisation", "committee", "union", "network",
    ]

    /// Capitalised words that are never entities on their own: greetings, interjections, pronouns and the like.
    static let nonEntities: Set<String> = Set(
        """
        hey hi hello hiya howdy yo wow oh ooh ah aw aww awww ohh yeah yes yep yup yay nope no nah ok okay thanks thank
        cheers bye goodbye sure well hmm um uh haha lol omg great cool nice awesome amazing sounds congrats
        congratulations sorry please totally absolutely definitely exactly right true agreed glad good love so and
        but or if then when while because since also just really actually anyway anyways honestly btw by the way
        i me my mine we us our you your he him his she her they them their it its this that these those there here
        what who whom whose which where why how what's let let's dear mom mum dad
        mr mrs ms dr sir madam monday tuesday wednesday thursday friday saturday sunday
        january february march april may june july august september october november december
        today tomorrow yesterday tonight morning evening night afternoon weekend
        god gosh jeez whoa yikes ugh hooray woohoo bravo
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    /// All-capital words that are not organisations: shouting, chat shorthand, common abbreviations.
    static let nonOrganisationCaps: Set<String> = [
        "ok", "okay", "lol", "omg", "btw", "fyi", "asap", "diy", "tv", "dj", "id", "usb", "pc", "ps", "bbq", "lgbtq",
        "lgbt", "lgbtqia", "am", "pm", "faq", "ai", "ceo", "cv", "hr", "it", "pr", "rsvp", "tbh", "idk", "imo",
        "smh", "ttyl", "brb", "gps", "atm", "suv", "phd", "mba", "ptsd", "adhd", "ocd", "vr", "rv", "pe", "xoxo",
    ]

    /// Capitalised names that are neither people nor places: holidays, languages, nationalities, faiths.
    static let otherNames: Set<String> = Set(
        """
        christmas easter halloween thanksgiving hanukkah diwali ramadan eid passover valentine valentines pride
        english spanish french german italian chinese japanese korean russian portuguese arabic hindi dutch greek
        american british canadian mexican australian indian irish african european asian latino latina
        christian christianity muslim islam jewish judaism buddhist buddhism hindu catholic
        lgbtq lgbt internet covid
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
