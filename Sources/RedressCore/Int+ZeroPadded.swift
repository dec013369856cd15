extension Int {
    /// The number in decimal with zeros in front up to `width` characters, as C's `%0*d` writes it,
    /// without going through a C format (dates and times are written this way on hot paths).
    public func zeroPadded(_ width: Int) -> String {
        let digits = String(magnitude)
        let sign = self < 0 ? "-" : ""
        let zeros = width - sign.count - digits.count
        return zeros > 0 ? sign + String(repeating: "0", count: zeros) + digits : sign + digits
    }
}
