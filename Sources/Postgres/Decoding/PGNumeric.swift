/// Converts PostgreSQL's binary `numeric` (base-10000 digits) into its exact decimal text.
enum PGNumeric {
    private static let positive: UInt16 = 0x0000
    private static let negative: UInt16 = 0x4000
    private static let notANumber: UInt16 = 0xC000
    private static let positiveInfinity: UInt16 = 0xD000
    private static let negativeInfinity: UInt16 = 0xF000

    static func string(from bytes: UnsafeRawBufferPointer) throws -> String {
        var reader = PGBinaryReader(bytes)
        let digitCount = Int(try reader.read(Int16.self))
        let weight = Int(try reader.read(Int16.self))
        let sign = try reader.read(UInt16.self)
        let scale = Int(try reader.read(Int16.self))
        switch sign {
        case notANumber: return "NaN"
        case positiveInfinity: return "Infinity"
        case negativeInfinity: return "-Infinity"
        case positive, negative: break
        default: throw PGDecodingFailure("invalid numeric sign")
        }
        var digits: [Int] = []
        for _ in 0..<digitCount { digits.append(Int(try reader.read(Int16.self))) }

        var integer = ""
        if weight < 0 {
            integer = "0"
        } else {
            for index in 0...weight {
                let digit = index < digits.count ? digits[index] : 0
                integer += index == 0 ? String(digit) : pad(digit)
            }
        }
        var fraction = ""
        if scale > 0 {
            var index = weight + 1
            while fraction.count < scale {
                let digit = index >= 0 && index < digits.count ? digits[index] : 0
                fraction += pad(digit)
                index += 1
            }
            fraction = String(fraction.prefix(scale))
        }
        let body = fraction.isEmpty ? integer : integer + "." + fraction
        return sign == negative ? "-" + body : body
    }

    private static func pad(_ digit: Int) -> String {
        let text = String(digit)
        return String(repeating: "0", count: 4 - text.count) + text
    }
}
