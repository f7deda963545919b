/// Day and month arithmetic without Foundation (Howard Hinnant's civil-date algorithms):
/// the hot loop must not allocate `Calendar`s or `DateComponents`.
public enum CivilDays {
    /// Days since 1970-01-01 of a proleptic Gregorian date.
    @inline(__always)
    public static func day(_ year: Int, _ month: Int, _ dayOfMonth: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + dayOfMonth - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The (year, month, day) of a day number.
    @inline(__always)
    public static func civil(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    public static func daysIn(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// First day of a month given as `YearMonth.index` (year * 12 + month - 1).
    @inline(__always)
    public static func firstDay(ofMonth index: Int) -> Int { day(index / 12, index % 12 + 1, 1) }

    /// Last day of a month given as `YearMonth.index`.
    @inline(__always)
    public static func lastDay(ofMonth index: Int) -> Int { firstDay(ofMonth: index + 1) - 1 }

    /// The `YearMonth.index` of a day number.
    @inline(__always)
    public static func monthIndex(ofDay d: Int) -> Int {
        let c = civil(d)
        return c.year * 12 + c.month - 1
    }
}
