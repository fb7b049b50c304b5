import Foundation

/// English function words and conversational fillers that are never keywords.
enum StopWords {
    /// Lower-case stop words, contraction parts included ("'s", "n't" are matched as "'s", "not").
    static let all: Set<String> = Set(
        """
        a about above after again against all almost along already also although always am among an and another any
        anybody anyone anything anyway anyways anywhere are aren around as at away back be became because become
        becomes been before being below beside besides between beyond both but by came can cannot could couldn did
        didn do does doesn doing don done down during each either else enough even ever every everybody everyone
        everything everywhere few for from further get gets getting give given gives go goes going gone got gotten
        had has hasn have haven having he her here hers herself him himself his how however i if in indeed instead
        into is isn it its itself just keep kept know knew known last least less let lets like likely made make makes
        making many may maybe me might mine more most mostly much must my myself near need needs neither never next
        no nobody none nor not nothing now of off often oh ok okay on once one ones only onto or other others
        otherwise our ours ourselves out over own per perhaps please put quite rather re really said same say says
        see seem seemed seems seen several shall she should since so some somebody someone something sometimes
        somewhat somewhere soon still such sure take taken takes than that the their theirs them themselves then
        there therefore these they thing things think this those though through thus till to together too took
        toward towards under until up upon us use used very via want wanted wants was wasn way we well went were
        weren what whatever when whenever where whereas wherever whether which while who whoever whole whom whose
        why will with within without won would wouldn yes yet you your yours yourself yourselves 's not
        hey hi hello wow yeah yep yup yay nope nah thanks thank cheers bye lol omg haha hmm um uh ah aw aww awww ooh
        totally absolutely definitely actually honestly basically literally pretty super kind kinda sort gonna wanna
        gotta lot lots stuff thing things bit tell told sounds sound glad great good nice cool awesome amazing
        today tomorrow yesterday tonight week weekend month year day days time times ago recently lately
        feel feels felt look looks looked looking doing got getting wow anything something everything nothing
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
