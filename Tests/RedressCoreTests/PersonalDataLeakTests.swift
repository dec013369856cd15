import RedressCore
import Testing

/// The check that keeps a complainant's own data out of the case library and published plans.
@Suite("Personal data in text meant for others")
struct PersonalDataLeakTests {
    let name = "王小明", phone = "+86 138 0013 8000", email = "xiaoming@example.com"

    func kind(_ text: String) -> String? {
        PersonalDataLeak.find(in: text, name: name, phone: phone, email: email)?.kind
    }

    @Test func thePhoneNumberIsFoundHoweverItIsWritten() {
        for text in ["call 13800138000", "电话138-0013-8000。", "(138) 0013 8000", "+86.138.0013.8000", "008613800138000 was given"] {
            #expect(kind(text) == "phone", "\(text)")
        }
    }

    @Test func otherNumbersAreNot() {
        for text in ["charged 138 yuan on 2026-08-00", "ticket 0013", "13800138", "1 3 8 0 0 1 3 8"] {
            #expect(kind(text) == nil, "\(text)")
        }
    }

    @Test func theNameAndEmailAreFoundInAnyCase() {
        #expect(kind("客户王小明反映") == "name")
        #expect(kind("write to XiaoMing@Example.COM") == "email")
        #expect(kind("一位客户反映重复扣费") == nil)
    }

    @Test func latinNamesAreWholeWords() {
        #expect(PersonalDataLeak.names("Ann", in: "Ann called twice"))
        #expect(PersonalDataLeak.names("ann lee", in: "Spoke to ANN LEE."))
        #expect(!PersonalDataLeak.names("Ann", in: "the annual fee"))
        #expect(!PersonalDataLeak.names("Li", in: "billing"))
        #expect(!PersonalDataLeak.names("X", in: "X marks"), "one character is not looked for")
    }

    @Test func shortPhoneNumbersAreNotLookedFor() {
        #expect(PersonalDataLeak.find(in: "code 1234", name: nil, phone: "1234", email: nil) == nil)
    }
}
