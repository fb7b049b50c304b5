/// Splits text into lower-case words of letters and digits; shared by embedding, hashing and keywords.
public enum Tokenizer {
    /// The lower-cased runs of letters and digits in `text`.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

extension Tokenizer {
    /// Words that carry no topic, dropped from full-text queries and keyword extraction.
    public static let stopWords: Set<String> = Set(
        """
        a an the and or but if of at by for with about against between into through during before after above \
        below to from up down in out on off over under again further then once here there when where why how all \
        any both each few more most other some such no nor not only own same so than too very s t can will just \
        don should now is am are was were be been being have has had having do does did doing i me my myself we \
        our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its \
        itself they them their theirs themselves what which who whom this that these those would could ll re ve d m
        """.split(separator: " ").map(String.init))

    /// The words of `text` without stop words: the terms of a full-text query.
    public static func terms(_ text: String) -> [String] {
        words(text).filter { !stopWords.contains($0) }
    }
}
