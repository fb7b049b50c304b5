import Foundation

/// Finds date phrases in text and resolves them against the moment the text was said, in UTC.
///
/// Relative: "yesterday", "today", "tonight", "tomorrow", "the day before yesterday", "last night", "last/this/next
/// week|weekend|month|year", "last/this/next Friday", "last/next May", "two days ago", "a few weeks ago", "in 3 days".
/// Absolute: "8 May 2023", "8th of May", "May 8, 2023", "May 2023", "2023-05-08", "in 2022".
/// "next Friday" is the first Friday after the day said; "this Friday" the first on or after it; "last Friday" the
/// last before it. "this weekend" is the coming Saturday (yesterday's when said on a Sunday).
public enum RelativeDateResolver {
    /// The first day named by `phrase` ("yesterday", "next Friday", "8 May 2023"), resolved against `reference`.
    public static func resolve(_ phrase: String, relativeTo reference: Date) -> Date? {
        let tokens = TextTokenizer.tokens(phrase)
        return mentions(in: tokens, range: tokens.indices, reference: reference).first?.date
    }

    /// The date phrases among `tokens[range]`, in order, not overlapping.
    static func mentions(in tokens: [TextToken], range: Range<Int>, reference: Date) -> [DateMention] {
        let scanner = DateScanner(tokens: tokens, end: range.upperBound, reference: reference)
        var found: [DateMention] = []
        var index = range.lowerBound
        while index < range.upperBound {
            if tokens[index].isWordLike, let mention = scanner.match(at: index) {
                found.append(mention)
                index = mention.range.upperBound
            } else {
                index += 1
            }
        }
        return found
    }
}

/// The matching behind `RelativeDateResolver`, one position at a time.
struct DateScanner {
    let tokens: [TextToken]
    let end: Int
    let reference: Date
    let today: Date

    init(tokens: [TextToken], end: Int, reference: Date) {
        self.tokens = tokens
        self.end = end
        self.reference = reference
        self.today = CalendarUTC.day(reference)
    }

    static let weekdays: [String: Int] = [
        "sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7, "sun": 1,
        "mon": 2, "tue": 3, "tues": 3, "wed": 4, "thu": 5, "thur": 5, "thurs": 5, "fri": 6, "sat": 7,
    ]
    static let months: [String: Int] = [
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
        "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
        "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    ]
    static let counts: [String: Int] = [
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "few": 3, "several": 3,
    ]
    static let units: [String: Calendar.Component] = [
        "day": .day, "days": .day, "week": .weekOfYear, "weeks": .weekOfYear, "month": .month, "months": .month,
        "year": .year, "years": .year, "weekend": .weekOfYear, "weekends": .weekOfYear,
    ]
    static let yearPrepositions: Set<String> = ["in", "since", "during", "until", "from", "of", "by", "around"]

    func word(_ index: Int) -> String? {
        index < end && index >= 0 ? tokens[index].lower : nil
    }

    /// The month a token names; "May" and "March" only when capitalised (not the verbs).
    func month(_ index: Int) -> Int? {
        guard index < end, let month = Self.months[tokens[index].lower] else { return nil }
        if (month == 5 || month == 3) && !tokens[index].isCapitalised { return nil }
        return month
    }

    func mention(
        _ start: Int, _ stop: Int, _ date: Date, _ granularity: DateMention.Granularity, _ name: String,
        _ replacement: String?
    ) -> DateMention {
        DateMention(
            range: start..<stop, date: date, granularity: granularity, name: name, replacement: replacement)
    }

    func dayMention(_ start: Int, _ stop: Int, _ date: Date) -> DateMention {
        let name = CalendarUTC.dayName(date)
        return mention(start, stop, date, .day, name, "on " + name)
    }

    /// A date phrase starting at `index`.
    func match(at index: Int) -> DateMention? {
        guard let first = word(index) else { return nil }
        switch first {
        case "yesterday": return dayMention(index, index + 1, CalendarUTC.adding(-1, .day, to: today))
        case "today", "tonight": return dayMention(index, index + 1, today)
        case "tomorrow": return dayMention(index, index + 1, CalendarUTC.adding(1, .day, to: today))
        case "the" where word(index + 1) == "day" && ["before", "after"].contains(word(index + 2)):
            let offset = word(index + 2) == "before" ? -2 : 2
            guard word(index + 3) == (offset < 0 ? "yesterday" : "tomorrow") else { return nil }
            return dayMention(index, index + 4, CalendarUTC.adding(offset, .day, to: today))
        case "last", "this", "next", "past":
            return relative(first, at: index)
        case "in" where word(index + 1).map({ Self.counts[$0] != nil || Int($0) != nil }) == true:
            if let mention = countPhrase(at: index + 1, start: index, direction: 1) { return mention }
        default:
            break
        }
        if let mention = countPhrase(at: index, start: index, direction: -1) { return mention }
        return absolute(at: index)
    }

    /// "last week", "this weekend", "next Friday", "last May", "last night", "this morning".
    func relative(_ which: String, at index: Int) -> DateMention? {
        guard let unit = word(index + 1) else { return nil }
        let direction = which == "last" || which == "past" ? -1 : which == "next" ? 1 : 0
        let stop = index + 2
        let todayName = CalendarUTC.dayName(today)
        switch unit {
        case "night" where direction == -1:
            return dayMention(index, stop, CalendarUTC.adding(-1, .day, to: today))
        case "morning", "afternoon", "evening", "night":
            return direction == 0 ? dayMention(index, stop, today) : nil
        case "week":
            let date = CalendarUTC.adding(7 * direction, .day, to: today)
            let relation = direction < 0 ? "the week before " : direction > 0 ? "the week after " : "the week of "
            return mention(index, stop, date, .week, relation + todayName, "in " + relation + todayName)
        case "weekend":
            let weekday = CalendarUTC.calendar.component(.weekday, from: today)
            let coming = weekday == 1 ? -1 : 7 - weekday
            let offset =
                direction < 0 ? coming - 7 : direction > 0 && (weekday >= 6 || weekday == 1) ? coming + 7 : coming
            let saturday = CalendarUTC.adding(offset, .day, to: today)
            let name = "the weekend of " + CalendarUTC.dayName(saturday)
            return mention(index, stop, saturday, .week, name, "on " + name)
        case "month":
            let date = CalendarUTC.monthStart(CalendarUTC.adding(direction, .month, to: today))
            let name = CalendarUTC.monthName(date)
            return mention(index, stop, date, .month, name, "in " + name)
        case "year":
            let date = CalendarUTC.adding(direction, .year, to: today)
            guard let start = CalendarUTC.yearStart(CalendarUTC.calendar.component(.year, from: date)) else {
                return nil
            }
            let name = CalendarUTC.yearName(start)
            return mention(index, stop, start, .year, name, "in " + name)
        default:
            break
        }
        if let weekday = Self.weekdays[unit] {
            let current = CalendarUTC.calendar.component(.weekday, from: today)
            var offset = (weekday - current + 7) % 7
            if direction < 0 {
                offset = offset == 0 ? -7 : offset - 7
            } else if direction > 0, offset == 0 {
                offset = 7
            }
            return dayMention(index, stop, CalendarUTC.adding(offset, .day, to: today))
        }
        if let month = self.month(index + 1) {
            let current = CalendarUTC.calendar.component(.month, from: today)
            var year = CalendarUTC.calendar.component(.year, from: today)
            if direction < 0 && month >= current { year -= 1 }
            if direction > 0 && month <= current { year += 1 }
            guard let date = CalendarUTC.date(year: year, month: month, day: 1) else { return nil }
            let name = CalendarUTC.monthName(date)
            return mention(index, stop, date, .month, name, "in " + name)
        }
        return nil
    }
}
