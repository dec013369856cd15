import Foundation
import Postgres
import RedressTestSupport
import Testing

@Suite("Connecting from URLs and keyword strings")
struct ConnectionStringTests {
    @Test func urlAndKeywordStringsWithTheirSettingsHonoured() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let url = database.ownerURL + "&application_name=from-url"
        let viaURL = try await PGConnection.connect(PGConnectionConfiguration(url))
        defer { viaURL.close() }
        let name = try await viaURL.query("SELECT current_setting('application_name'), current_database()::text")
        #expect(try name[0].decode(String.self, at: 0) == "from-url")
        #expect(try name[0].decode(String.self, at: 1) == database.name)

        let socket = try #require(ProcessInfo.processInfo.environment["REDRESS_TEST_SOCKET_DIR"])
        let keywords = "host='\(socket)' dbname=\(database.name) user=redress_owner connect_timeout=5"
        let viaKeywords = try await PGConnection.connect(PGConnectionConfiguration(keywords, applicationName: "fallback-name"))
        defer { viaKeywords.close() }
        let fallback = try await viaKeywords.query("SELECT current_setting('application_name'), current_user::text")
        #expect(try fallback[0].decode(String.self, at: 0) == "fallback-name")
        #expect(try fallback[0].decode(String.self, at: 1) == "redress_owner")
    }

    @Test func aBadConnectionStringFailsClearly() async throws {
        let error = await #expect(throws: PGError.self) {
            _ = try await PGConnection.connect(PGConnectionConfiguration("host=/nonexistent dbname=x connect_timeout=1"))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("/nonexistent") == true)
    }
}
