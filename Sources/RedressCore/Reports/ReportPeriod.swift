/// The stretch of local dates a report covers, and the stretch of equal length just before it
/// that its changes compare with. Dates are calendar days in each branch's own time zone.
public struct ReportPeriod: Sendable, Equatable, Codable {
    /// How the period was chosen.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case day, week, month, quarter, custom
    }

    public var kind: Kind
    /// The first day, inclusive.
    public var from: LocalDate
    /// The last day, inclusive.
    public var to: LocalDate
    /// The first day of the previous period (which ends the day before `from`).
    public var previousFrom: LocalDate
    /// The last day of the previous period.
    public var previousTo: LocalDate { from.adding(days: -1) }

    /// The longest custom period, in days.
    public static let longestCustomDays = 731

    /// The day, ISO week (Monday to Sunday), month or quarter containing `date`; the previous
    /// period is the one before it of the same kind.
    public init(_ kind: Kind, containing date: LocalDate) {
        self.kind = kind
        switch kind {
        case .day, .custom:
            from = date
            to = date
            previousFrom = date.adding(days: -1)
        case .week:
            from = date.adding(days: 1 - date.isoWeekday)
            to = from.adding(days: 6)
            previousFrom = from.adding(days: -7)
        case .month:
            from = date.firstOfMonth()
            to = date.lastOfMonth
            previousFrom = date.firstOfMonth(adding: -1)
        case .quarter:
            let start = LocalDate(date.year, (date.month - 1) / 3 * 3 + 1, 1)
            from = start
            to = start.firstOfMonth(adding: 3).adding(days: -1)
            previousFrom = start.firstOfMonth(adding: -3)
        }
    }

    /// A custom range of whole days, `from` through `to`; the previous period has as many days.
    /// Nil when `to` comes before `from` or the range is longer than ``longestCustomDays``.
    public init?(from: LocalDate, to: LocalDate) {
        let days = from.days(to: to) + 1
        guard days >= 1, days <= Self.longestCustomDays else { return nil }
        kind = .custom
        self.from = from
        self.to = to
        previousFrom = from.adding(days: -days)
    }

    enum CodingKeys: String, CodingKey { case kind, from, to, previousFrom, previousTo }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(from.description, forKey: .from)
        try container.encode(to.description, forKey: .to)
        try container.encode(previousFrom.description, forKey: .previousFrom)
        try container.encode(previousTo.description, forKey: .previousTo)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> LocalDate {
            let text = try container.decode(String.self, forKey: key)
            guard let date = LocalDate(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a YYYY-MM-DD date")
            }
            return date
        }
        kind = try container.decode(Kind.self, forKey: .kind)
        from = try date(.from)
        to = try date(.to)
        previousFrom = try date(.previousFrom)
    }
}
