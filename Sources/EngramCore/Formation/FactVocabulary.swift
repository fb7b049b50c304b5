import Foundation

/// The word lists the fact patterns use: relations, professions, verb forms, hedges.
enum FactVocabulary {
    private static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isWhitespace).map(String.init))
    }

    /// "a b c d" → ["a": "b", "c": "d"].
    private static func pairs(_ text: String) -> [String: String] {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        var result: [String: String] = [:]
        for index in stride(from: 0, to: words.count - 1, by: 2) {
            result[words[index]] = words[index + 1]
        }
        return result
    }

    /// Relations a person has to someone ("my sister Anna"), with the singular used in `has_<relation>`.
    static let relations = pairs(
        """
        mother mother mom mother mum mother mommy mother father father dad father daddy father parents parent
        parent parent sister sister sisters sister brother brother brothers brother sibling sibling siblings sibling
        son son sons son daughter daughter daughters daughter kid kid kids kid child child children child
        husband husband wife wife spouse spouse partner partner boyfriend boyfriend girlfriend girlfriend
        fiance fiance fiancee fiance friend friend friends friend bestie best_friend buddy friend pal friend
        cousin cousin cousins cousin aunt aunt uncle uncle grandma grandmother grandmother grandmother
        grandpa grandfather grandfather grandfather grandparents grandparent niece niece nephew nephew
        boss boss manager manager coworker coworker colleague colleague colleagues colleague roommate roommate
        neighbor neighbour neighbour neighbour mentor mentor stepmom stepmother stepdad stepfather
        dog dog dogs dog cat cat cats cat puppy dog pup dog kitten cat kitty cat pet pet pets pet
        """)

    /// Jobs: "I am a nurse" is `works_as`, "I am a vegetarian" is `is`.
    static let professions = words(
        """
        nurse doctor physician surgeon dentist teacher professor lecturer tutor engineer developer programmer
        designer architect artist painter musician singer writer author journalist editor photographer chef cook
        baker waiter waitress bartender barista cashier lawyer attorney judge accountant banker consultant analyst
        scientist researcher student manager director ceo founder entrepreneur farmer pilot driver mechanic
        electrician plumber carpenter firefighter officer soldier veteran counselor counsellor therapist
        psychologist psychiatrist pharmacist vet veterinarian librarian salesperson realtor marketer volunteer
        coach trainer instructor dancer actor actress comedian model nanny caregiver paramedic secretary clerk
        receptionist technician intern freelancer programmer coder streamer youtuber blogger athlete
        """)

    /// Irregular past tenses and their base forms.
    static let irregularPast = pairs(
        """
        went go got get had have made make saw see took take came come gave give found find met meet ran run
        bought buy brought bring thought think felt feel told tell said say left leave kept keep began begin
        wrote write read read built build sent send spent spend won win lost lose taught teach caught catch
        drove drive flew fly swam swim sang sing ate eat drank drink slept sleep woke wake rode ride grew grow
        knew know became become held hold stood stand sat sit heard hear paid pay sold sell fell fall broke break
        chose choose forgot forget understood understand did do was be were be tried try bit bite threw throw
        hung hang led lead lit light shot shoot shut shut quit quit put put set set cut cut hit hit hurt hurt
        """)

    /// Irregular past participles (after "have").
    static let irregularParticiples = words(
        """
        been gone done seen taken given eaten written driven flown swum sung drunk begun known grown thrown ridden
        chosen forgotten spoken broken woken fallen gotten hidden stolen worn torn shown become come run made had
        found met bought brought thought felt told said left kept built sent spent won lost taught caught slept
        heard paid sold held stood sat read put set cut hit hurt quit
        """)

    /// Adverbs that may sit between a subject and its verb ("I really love").
    static let adverbs = words(
        """
        really also just still now currently actually totally absolutely definitely kinda kind of honestly usually
        often sometimes recently finally even already truly both all seriously literally basically sort
        genuinely certainly probably mostly only ever again first then newly maybe perhaps hopefully luckily
        fortunately unfortunately sadly thankfully lately once eventually
        """)

    /// Words that make a statement uncertain.
    static let hedges = words("maybe might perhaps probably possibly guess suppose kinda sort unsure could sometime")

    /// Words that open a question.
    static let questionOpeners = words(
        """
        what who whom whose which where when why how do does did is are was were can could would should will have
        has had am may shall anything any
        """)

    /// Greetings and sign-offs: sentences made only of these (and names) carry no fact.
    static let greetings = words(
        """
        hi hey hello hiya howdy yo thanks thank you cheers bye goodbye see ya later soon talk care good morning
        evening night afternoon congrats congratulations nice meet to
        """)

    /// Interjections and discourse words that may open a sentence before its subject ("Yeah, I ...").
    static let interjections = words(
        """
        oh ooh ah aw aww wow yeah yes yep yup no nope nah ok okay well so also and but hey hi hello btw anyway anyways
        haha lol omg honestly actually totally right sure alright hmm um uh plus then now ooo oooh ahh ohh whoa yum
        woo woohoo phew gee ugh yikes aha awesome cool great nice wow sweet
        """)

    /// Verbs an imperative addressed to the agent starts with.
    static let imperativeVerbs = words(
        """
        use write reply answer respond keep stop avoid send remind tell give show make call format speak explain
        summarize summarise include add remove translate list save note remember book schedule cancel set
        """)

    /// Possessions too vague to make a `has_<thing>` fact.
    static let vagueThings = words(
        """
        lot lots time fun idea question feeling chance problem way day night week moment look thing things bit
        blast ball great good bad hard tough rough busy few couple minute second go try clue doubt point
        """)
}
