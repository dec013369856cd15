import CLibPQ
import Foundation

/// The rows a statement returned, kept in libpq's result buffer and decoded on access.
public struct PGRows: Sendable, RandomAccessCollection {
    let result: PGResultBox

    /// The first row's index.
    public var startIndex: Int { 0 }
    /// One past the last row's index.
    public var endIndex: Int { result.rowCount }

    /// The row at `position`.
    public subscript(position: Int) -> PGRow { PGRow(result: result, index: position) }

    /// The column names, in order.
    public var columns: [String] { result.columnNames }

    /// How many rows the statement affected (for INSERT/UPDATE/DELETE), or returned.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result.pointer))) ?? result.rowCount }
}

/// One row of a result.
public struct PGRow: Sendable {
    let result: PGResultBox
    let index: Int

    /// Decodes column `column` (0-based) as `T`.
    public func decode<T: PGDecodable>(_: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < result.columnCount else {
            throw PGError(.missingColumn, message: "the result has no column at index \(column)")
        }
        return try result.decode(T.self, row: index, column: column)
    }

    /// Decodes the column named `name` as `T`.
    public func decode<T: PGDecodable>(_: T.Type = T.self, column name: String) throws -> T {
        guard let column = result.columnIndex(of: name) else {
            throw PGError(.missingColumn, message: "the result has no column named \"\(name)\"")
        }
        return try result.decode(T.self, row: index, column: column)
    }

    /// True when the column (0-based) is SQL NULL.
    public func isNull(at column: Int) -> Bool {
        PQgetisnull(result.pointer, Int32(index), Int32(column)) == 1
    }
}

/// Owns a libpq result and frees it when the last row referring to it is gone.
///
/// A finished `PGresult` is never modified again, so reading it from several threads is safe.
final class PGResultBox: @unchecked Sendable {
    let pointer: OpaquePointer
    let rowCount: Int
    let columnCount: Int
    /// The column names, in order.
    var columnNames: [String] { (0..<columnCount).map(columnName) }

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        rowCount = Int(PQntuples(pointer))
        columnCount = Int(PQnfields(pointer))
    }

    func columnName(_ column: Int) -> String { String(cString: PQfname(pointer, Int32(column))) }

    /// The first column named exactly `name` (a scan without allocation; results are narrow).
    func columnIndex(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { wanted in
            for column in 0..<columnCount {
                let candidate = PQfname(pointer, Int32(column))!
                if strlen(candidate) == wanted.count && memcmp(candidate, wanted.baseAddress!, wanted.count) == 0 {
                    return column
                }
            }
            return nil
        }
    }

    deinit { PQclear(pointer) }

    func decode<T: PGDecodable>(_: T.Type, row: Int, column: Int) throws -> T {
        let type = PGType(rawValue: PQftype(pointer, Int32(column)))
        do {
            if PQgetisnull(pointer, Int32(row), Int32(column)) == 1 { return try T.decodeNull(type: type) }
            let length = Int(PQgetlength(pointer, Int32(row), Int32(column)))
            let value = UnsafeRawPointer(PQgetvalue(pointer, Int32(row), Int32(column))!)
            return try T.decode(from: UnsafeRawBufferPointer(start: value, count: length), type: type)
        } catch let failure as PGDecodingFailure {
            var message = "column \"\(columnName(column))\" (index \(column)): cannot decode PostgreSQL type \(type) as Swift type \(T.self)"
            if let reason = failure.reason { message += ": \(reason)" }
            throw PGError(.decoding, message: message)
        }
    }
}
