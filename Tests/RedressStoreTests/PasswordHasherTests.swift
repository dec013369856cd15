import Foundation
@testable import RedressStore
import Testing

/// bcrypt in Swift against published vectors, and the settings the database hands out.
@Suite("Password hashing in Swift: bcrypt vectors, settings and long passwords")
struct PasswordHasherTests {
    /// Vectors of the Openwall and OpenBSD test suites.
    @Test func publishedVectorsAreReproduced() throws {
        let vectors: [(password: String, hash: String)] = [
            ("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
            ("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"),
            ("", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
            ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
             "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"),
        ]
        for vector in vectors {
            let setting = try #require(BcryptSetting(vector.hash))
            #expect(PasswordHasher.hashNow(vector.password, setting: setting) == vector.hash, "\(vector.password)")
        }
    }

    @Test func aNewHashHasTheCostAndAFreshSalt() async throws {
        let first = try await PasswordHasher.hash("correct-horse-battery", cost: 5)
        let second = try await PasswordHasher.hash("correct-horse-battery", cost: 5)
        #expect(first.hasPrefix("$2a$05$") && first.utf8.count == 60)
        #expect(first != second, "every hash has its own salt")
        let setting = try #require(BcryptSetting(first))
        #expect(setting.cost == 5)
        #expect(try await PasswordHasher.hash("correct-horse-battery", setting: setting) == first)
        #expect(try await PasswordHasher.hash("correct-horse-batterz", setting: setting) != first)
    }

    /// bcrypt reads 72 bytes; the C code's `$2a$` key length would wrap at 255 bytes (a
    /// division by zero there), so the key is cut before it gets that far.
    @Test func passwordsLongerThan72BytesCountTheir72FirstBytes() throws {
        let setting = BcryptSetting.random(cost: 4)
        let prefix = String(repeating: "p", count: 72)
        let reference = PasswordHasher.hashNow(prefix, setting: setting)
        for length in [73, 200, 254, 255, 256, 600] {
            let password = prefix + String(repeating: "é", count: (length - 72) / 2) + String(repeating: "x", count: (length - 72) % 2)
            #expect(password.utf8.count == length)
            #expect(PasswordHasher.hashNow(password, setting: setting) == reference, "\(length) bytes")
        }
        #expect(PasswordHasher.hashNow(String(prefix.dropLast()), setting: setting) != reference)
    }

    @Test func settingsAreReadStrictly() {
        let valid = "$2a$12$abcdefghijklmnopqrstuu"
        #expect(BcryptSetting(valid)?.cost == 12)
        #expect(BcryptSetting(valid + "5s2v8.iXieOjg/.AySBTTZIIVFJeBui")?.text == valid, "a full hash starts with its setting")
        #expect(BcryptSetting("$2b$04$abcdefghijklmnopqrstuu")?.cost == 4)
        for invalid in ["", "correct-horse-battery-staple-xx", "$2y$12$abcdefghijklmnopqrstuu", "$2a$03$abcdefghijklmnopqrstuu",
                        "$2a$32$abcdefghijklmnopqrstuu", "$2a$1x$abcdefghijklmnopqrstuu", "$2a$12$abcdefghijklmnopqrstu",
                        "$2a$12$abcdefghijklmnopqrstuv", "$2a$12$abcdefghijklmnopqrs+uu"] {
            #expect(BcryptSetting(invalid) == nil, "\(invalid)")
        }
        for _ in 0..<50 {
            let random = BcryptSetting.random(cost: 9)
            #expect(random.text.hasPrefix("$2a$09$") && BcryptSetting(random.text) == random)
        }
    }
}
