import Foundation

extension DateScanner {
    /// A count, as digits or words ("two", "a couple of", "a few"), starting at `index`: its value and the next index.
    func count(at index: Int) -> (Int, Int)? {
        guard let first = word(index) else { return nil }
        if let value = Int(first), value > 0, value < 1000 { return (value, index + 1) }
        if first == "a" || first == "an" {
            if word(index + 1) == "couple", word(index + 2) == "of" { return (2, index + 3) }
            if word(index + 1) == "few" { return (3, index + 2) }
        }
        if first == "couple" || first == "few" { return nil }
        return Self.counts[first].map { ($0, index + 1) }
    }

    /// "two days ago" (`direction` −1, `index` at the count) or "in two days" (`direction` 1, `start` at "in").
    func countPhrase(at index: Int, start: Int, direction: Int) -> DateMention? {
        guard let (value, next) = count(at: index), let unitWord = word(next), let unit = Self.units[unitWord] else {
            return nil
        }
        var stop = next + 1
        if direction < 0 {
            guard word(stop) == "ago" else { return nil }
            stop += 1
        }
        let amount = value * direction
        let todayName = CalendarUTC.dayName(today)
        let spoken = TokenRenderer.render(tokens[index..<(next + 1)]).lowercased()
        switch unit {
        case .day:
            return dayMention(start, stop, CalendarUTC.adding(amount, .day, to: today))
        case .weekOfYear:
            let date = CalendarUTC.adding(7 * amount, .day, to: today)
            let name = spoken + (direction < 0 ? " before " : " after ") + todayName
            return mention(start, stop, date, .week, name, name)
        case .month:
            let date = CalendarUTC.monthStart(CalendarUTC.adding(amount, .month, to: today))
            let name = CalendarUTC.monthName(date)
            return mention(start, stop, date, .month, name, "in " + name)
        default:
            let year = CalendarUTC.calendar.component(.year, from: today) + amount
            guard let date = CalendarUTC.yearStart(year) else { return nil }
            return mention(start, stop, date, .year, "\(year)", "in \(year)")
        }
    }

    /// A day of the month: "8", "8th", "1st".
    func dayOfMonth(_ index: Int) -> Int? {
        guard index < end, tokens[index].kind == .number else { return nil }
        var text = tokens[index].lower
        for suffix in ["st", "nd", "rd", "th"] where text.hasSuffix(suffix) {
            text.removeLast(2)
        }
        guard let day = Int(text), (1...31).contains(day) else { return nil }
        return day
    }

    /// A four-digit year from 1900 to 2100.
    func year(_ index: Int) -> Int? {
        guard index < end, tokens[index].kind == .number, tokens[index].lower.count == 4,
            let year = Int(tokens[index].lower), (1900...2100).contains(year)
        else { return nil }
        return year
    }

    /// "8 May 2023", "8th of May", "May 8, 2023", "May 2023", "2023-05-08", "in 2022".
    func absolute(at index: Int) -> DateMention? {
        let currentYear = CalendarUTC.calendar.component(.year, from: today)
        if let mention = iso(at: index) { return mention }
        if let day = dayOfMonth(index) {
            var next = index + 1
            if word(next) == "of" { next += 1 }
            guard let month = self.month(next) else { return nil }
            return dated(index, next + 1, day: day, month: month, defaultYear: currentYear)
        }
        if let month = self.month(index) {
            if let day = dayOfMonth(index + 1) {
                return dated(index, index + 2, day: day, month: month, defaultYear: currentYear)
            }
            if let year = self.year(index + 1), let date = CalendarUTC.date(year: year, month: month, day: 1) {
                return mention(index, index + 2, date, .month, CalendarUTC.monthName(date), nil)
            }
            return nil
        }
        if Self.yearPrepositions.contains(tokens[index].lower), let year = self.year(index + 1),
            let date = CalendarUTC.yearStart(year)
        {
            return mention(index + 1, index + 2, date, .year, "\(year)", nil)
        }
        return nil
    }

    /// A day, with the year that follows it (after an optional comma) or `defaultYear`.
    private func dated(_ start: Int, _ next: Int, day: Int, month: Int, defaultYear: Int) -> DateMention? {
        var stop = next
        var year = defaultYear
        let yearIndex = word(next) == "," ? next + 1 : next
        if let written = self.year(yearIndex) {
            year = written
            stop = yearIndex + 1
        }
        guard let date = CalendarUTC.date(year: year, month: month, day: day) else { return nil }
        return mention(start, stop, date, .day, CalendarUTC.dayName(date), nil)
    }

    /// "2023-05-08".
    private func iso(at index: Int) -> DateMention? {
        guard tokens[index].kind == .number else { return nil }
        let parts = tokens[index].lower.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), let date = CalendarUTC.date(year: year, month: month, day: day)
        else { return nil }
        return mention(index, index + 1, date, .day, CalendarUTC.dayName(date), nil)
    }
}
