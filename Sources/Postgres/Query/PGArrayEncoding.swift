import Foundation

/// A value that can be an element of a bound one-dimensional array.
///
/// Elements are written in PostgreSQL's binary format, so their bytes must be valid binary for
/// `pgElementType` (text's binary form is its UTF-8, which is why `String` qualifies).
public protocol PGArrayElement: PGEncodable {
    /// The element type the array is declared with.
    static var pgElementType: PGType { get }
    /// The array type, e.g. `text[]` for `text`.
    static var pgArrayType: PGType { get }
}

extension String: PGArrayElement {
    public static var pgElementType: PGType { .text }
    public static var pgArrayType: PGType { .textArray }
}

extension Int: PGArrayElement {
    public static var pgElementType: PGType { .int8 }
    public static var pgArrayType: PGType { .int8Array }
}

extension Int32: PGArrayElement {
    public static var pgElementType: PGType { .int4 }
    public static var pgArrayType: PGType { .int4Array }
}

extension UUID: PGArrayElement {
    public static var pgElementType: PGType { .uuid }
    public static var pgArrayType: PGType { .uuidArray }
}

extension Bool: PGArrayElement {
    public static var pgElementType: PGType { .bool }
    public static var pgArrayType: PGType { .boolArray }
}

extension Double: PGArrayElement {
    public static var pgElementType: PGType { .float8 }
    public static var pgArrayType: PGType { .float8Array }
}

extension Date: PGArrayElement {
    public static var pgElementType: PGType { .timestamptz }
    public static var pgArrayType: PGType { .timestamptzArray }
}

extension Array: PGEncodable where Element: PGArrayElement {
    /// Sent as the element's array type in binary form (one dimension, lower bound 1).
    public static var pgType: PGType { Element.pgArrayType }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) {
        Int32(1).appendBigEndian(to: &buffer)          // dimensions
        Int32(0).appendBigEndian(to: &buffer)          // has nulls
        Int32(bitPattern: Element.pgElementType.oid).appendBigEndian(to: &buffer)
        Int32(count).appendBigEndian(to: &buffer)      // length of the dimension
        Int32(1).appendBigEndian(to: &buffer)          // lower bound
        var element: [UInt8] = []
        for value in self {
            element.removeAll(keepingCapacity: true)
            value.encode(into: &element)
            Int32(element.count).appendBigEndian(to: &buffer)
            buffer.append(contentsOf: element)
        }
    }
}
