import Foundation

/// A date named in a sentence, resolved to a day in UTC.
struct DateMention: Sendable, Hashable {
    /// How precisely the text names the date.
    enum Granularity: Sendable, Hashable {
        case day, week, month, year
    }

    /// The tokens of the phrase, as indices into the token array.
    var range: Range<Int>
    /// The first day the phrase names, at 00:00 UTC.
    var date: Date
    var granularity: Granularity
    /// The absolute form: "7 May 2023", "the week before 8 May 2023", "April 2023", "2022".
    var name: String
    /// What a relative phrase becomes in a self-contained sentence ("on 7 May 2023"); `nil` for an absolute phrase.
    var replacement: String?

    /// A stable key: "2023-05-07" for a day or week, "2023-04" for a month, "2022" for a year.
    var key: String {
        let parts = CalendarUTC.calendar.dateComponents([.year, .month, .day], from: date)
        let year = parts.year ?? 0
        let month = parts.month ?? 1
        switch granularity {
        case .day, .week: return CalendarUTC.iso(date)
        case .month: return "\(year)-" + (month < 10 ? "0\(month)" : "\(month)")
        case .year: return "\(year)"
        }
    }
}

/// A Gregorian calendar in UTC and the few date formats the extractor writes, without `DateFormatter`.
public enum CalendarUTC {
    /// Gregorian, UTC.
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// English month names, January first.
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]

    /// "2023-05-07".
    public static func iso(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        return "\(parts.year ?? 0)-" + (month < 10 ? "0\(month)" : "\(month)") + "-" + (day < 10 ? "0\(day)" : "\(day)")
    }

    /// "7 May 2023".
    static func dayName(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(parts.day ?? 1) \(monthNames[(parts.month ?? 1) - 1]) \(parts.year ?? 0)"
    }

    /// "April 2023".
    static func monthName(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month], from: date)
        return "\(monthNames[(parts.month ?? 1) - 1]) \(parts.year ?? 0)"
    }

    /// "2022".
    static func yearName(_ date: Date) -> String {
        "\(calendar.component(.year, from: date))"
    }

    /// 00:00 UTC of the day of `date`.
    static func day(_ date: Date) -> Date {
        calendar.startOfDay(for: date)
    }

    /// `date` moved by `value` of `unit`.
    static func adding(_ value: Int, _ unit: Calendar.Component, to date: Date) -> Date {
        calendar.date(byAdding: unit, value: value, to: date) ?? date
    }

    /// The first day of the month of `date`.
    static func monthStart(_ date: Date) -> Date {
        calendar.date(from: calendar.dateComponents([.year, .month], from: date)) ?? day(date)
    }

    /// 1 January of `year`.
    static func yearStart(_ year: Int) -> Date? {
        calendar.date(from: DateComponents(year: year, month: 1, day: 1))
    }

    /// The day `year`-`month`-`day`, when it exists.
    static func date(year: Int, month: Int, day: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else { return nil }
        return date
    }

    /// 00:00 UTC of the day `text` names as exactly `yyyy-MM-dd`, when that day exists ("2023-02-30" does not).
    public static func date(iso text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return date(year: year, month: month, day: day)
    }
}
