import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("Quoted literals for statements that take no parameters")
struct LiteralTests {
    static let hostile = ["", "plain", "it's", "back\\slash", "\\'", "'; RESET ALL; --", "E'x'", "$$dollar$$",
                          "line\nbreak", "tab\tand\u{1}control", "投诉 🙂", String(repeating: "'\\", count: 500)]

    /// Each literal reads back as the text it was made from, in a SELECT and as a SET LOCAL value,
    /// whether or not the server treats backslashes in plain strings as escapes.
    @Test func everyTextReadsBackExactlyWhateverStringsConformTo() async throws {
        try await TestDatabase.create(migrated: false).withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.withConnection { connection in
                for conforming in ["on", "off"] {
                    try await connection.executeScript("SET standard_conforming_strings = \(conforming); SET escape_string_warning = off")
                    for text in Self.hostile {
                        let selected: String = try await connection.query("SELECT \(unescaped: try PGLiteral.string(text))")[0].decode(at: 0)
                        #expect(selected == text, "SELECT with standard_conforming_strings = \(conforming)")
                        try await connection.executeScript("BEGIN; SET LOCAL redress.probe = \(try PGLiteral.string(text));")
                        let set: String = try await connection.query("SELECT current_setting('redress.probe')")[0].decode(at: 0)
                        try await connection.executeScript("COMMIT")
                        #expect(set == text, "SET LOCAL with standard_conforming_strings = \(conforming)")
                    }
                }
                let after: String? = try await connection.query("SELECT current_setting('redress.probe', true)")[0].decode(at: 0)
                #expect(after == nil || after == "", "SET LOCAL ended with its transaction")
            }
        }
    }

    @Test func aNULCannotBeQuotedAndANameIsNotAText() throws {
        #expect(throws: PGLiteral.ContainsNUL.self) { try PGLiteral.string("a\u{0}b") }
        #expect(PGLiteral.settingName("redress.case_write_branch_ids") == "redress.case_write_branch_ids")
    }
}
