/// How customer personal data is shown to roles that do not need it in full: enough to recognise
/// a caller on the phone (`138****5678`), not enough to contact or identify them.
public enum PersonalDataMask {
    /// The roles that work with customers directly and see their personal data in full; every
    /// other role that reads complaints sees it masked. Bots never receive it.
    public static let fullAccessRoles: Set<Role> = [.agent, .handler, .departmentHead]

    /// True when `roles` may see personal data unmasked.
    public static func seesInFull(_ roles: Set<Role>) -> Bool { !roles.isDisjoint(with: fullAccessRoles) }

    /// Keeps the first 3 and the last 4 digits, stars the digits between, and leaves every other
    /// character: `13812345678` → `138****5678`. Fewer than 8 digits are starred entirely.
    public static func digits(_ value: String) -> String {
        let count = value.filter(\.isASCIIDigit).count
        var seen = 0
        return String(value.map { character -> Character in
            guard character.isASCIIDigit else { return character }
            seen += 1
            return count >= 8 && (seen <= 3 || seen > count - 4) ? character : "*"
        })
    }

    /// The first character, then a star for each of the rest (up to three): `王小明` → `王**`.
    public static func name(_ value: String) -> String {
        guard let first = value.first else { return value }
        return String(first) + String(repeating: "*", count: min(3, max(1, value.count - 1)))
    }

    /// The first character of the mailbox and the domain: `wang@example.com` → `w***@example.com`.
    public static func email(_ value: String) -> String {
        guard let at = value.lastIndex(of: "@"), let first = value.first, at != value.startIndex else { return name(value) }
        return String(first) + "***" + value[at...]
    }

    /// The first six characters (typically the city and district), then stars: `北京市朝阳区建国路88号` → `北京市朝阳区****`.
    public static func address(_ value: String) -> String {
        value.count <= 6 ? String(repeating: "*", count: value.count) : String(value.prefix(6)) + "****"
    }
}

extension Character {
    /// True for the digits 0 to 9.
    public var isASCIIDigit: Bool { isASCII && isNumber }
}
