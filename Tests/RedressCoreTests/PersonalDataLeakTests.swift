import RedressCore
import Testing

/// The check that keeps a complainant's own data out of the case library and published plans.
@Suite("Personal data in text meant for others")
struct PersonalDataLeakTests {
    let person = PersonalDataLeak.Person(name: "王小明", phone: "+86 138 0013 8000", email: "xiaoming@example.com",
                                         address: "上海市浦东新区世纪大道100号", idNumber: "31011519900101123X")

    func kind(_ text: String) -> String? { PersonalDataLeak.find(in: text, person)?.kind }

    @Test func thePhoneNumberIsFoundHoweverItIsWritten() {
        for text in ["call 1380013 8000", "电话138-0013-8000。", "(138) 0013 8000", "+86.138.0013.8000", "tel 0086 138 0013 8000 ok",
                     "１３８００１３８０００", "138\n0013\n8000", "138–0013–8000", "138／0013／8000", "138\u{200B}0013\u{200B}8000",
                     "138_0013_8000", "138、0013、8000", "138\u{2009}0013\u{202F}8000"] {
            #expect(kind(text) == "phone", "\(text)")
        }
    }

    @Test func otherNumbersAreNot() {
        for text in ["charged 138 yuan on 2026-08-01", "ticket 0013", "13800138", "refund 123456.78 yuan", "order 2026-1205"] {
            #expect(kind(text) == nil, "\(text)")
        }
    }

    @Test func theNameEmailAddressAndIDAreFoundInAnyForm() {
        #expect(kind("客户王小明反映") == "name")
        #expect(kind("客户王 小明反映") == "name")
        #expect(kind("客户王\u{200B}小明反映") == "name")
        #expect(kind("write to XiaoMing@Example.COM") == "email")
        #expect(kind("write to xiaoming＠example.com") == "email")
        #expect(kind("住在上海市浦东新区 世纪大道100号") == "address")
        #expect(kind("证件 310115 19900101 123x") == "idNumber")
        #expect(kind("一位客户反映重复扣费") == nil)
    }

    @Test func anyEmailOrPhoneLengthNumberIsRefusedToo() {
        let nobody = PersonalDataLeak.Person()
        #expect(PersonalDataLeak.find(in: "mail someone@example.org", nobody)?.kind == "anyEmail")
        #expect(PersonalDataLeak.find(in: "call 139 1234 5678", nobody)?.kind == "anyNumber")
        #expect(PersonalDataLeak.find(in: "call +86 139-1234-5678", nobody)?.kind == "anyNumber")
        #expect(PersonalDataLeak.find(in: "billed 2 × 38 yuan on 2026-11-01", nobody) == nil)
        #expect(PersonalDataLeak.find(in: "on 2026-11-01 10:30 the line failed", nobody) == nil)
    }

    @Test func latinNamesAreWholeWords() {
        #expect(PersonalDataLeak.names("Ann", in: "Ann called twice"))
        #expect(PersonalDataLeak.names("ann lee", in: "Spoke to ANN LEE."))
        #expect(PersonalDataLeak.names("Ann Lee", in: "客户Ann Lee反映"), "Chinese letters are a boundary")
        #expect(!PersonalDataLeak.names("Ann", in: "the annual fee"))
        #expect(!PersonalDataLeak.names("Li", in: "billing"))
        #expect(!PersonalDataLeak.names("X", in: "X marks"), "one character is not looked for")
    }

    @Test func shortPhoneNumbersAreNotLookedFor() {
        #expect(PersonalDataLeak.find(in: "call 10086", PersonalDataLeak.Person(phone: "10086")) == nil)
    }
}
