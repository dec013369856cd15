import RedressCore
import Testing

@Suite("Access codes, case numbers and the words complainants read")
struct ComplainantWordsTests {
    @Test func accessCodesAreReadAsPeopleTypeThem() throws {
        let code = AccessCode.generate()
        #expect(code.characters.count == 12 && code.characters.allSatisfy(AccessCode.alphabet.contains))
        #expect(code.description.count == 14 && code.description.split(separator: "-").count == 3)
        #expect(AccessCode(reading: code.description) == code)
        #expect(AccessCode(reading: " " + code.description.lowercased().replacingOccurrences(of: "-", with: " ") + " ") == code)
        for refused in ["", "K7QD-M2XP-9HT", "K7QD-M2XP-9HTAA", "I7QD-M2XP-9HTA", "K7QD-M2XP-9HT0", "K7QD_M2XP_9HTA",
                        String(repeating: "-", count: 41) + "K7QDM2XP9HTA"] {
            #expect(AccessCode(reading: refused) == nil, "\(refused)")
        }
        let many = Set((0..<1000).map { _ in AccessCode.generate().characters })
        #expect(many.count == 1000, "codes do not repeat")
    }

    @Test func caseNumbersAreReadInUpperCase() {
        #expect(CaseNumber.reading(" north-20261123-000042 ") == "NORTH-20261123-000042")
        #expect(CaseNumber.reading("BRANCH-A-20261123-1234567") == "BRANCH-A-20261123-1234567")
        for refused in ["NORTH-2026112-000042", "NORTH-20261123-00042", "-20261123-000042", "NORTH 20261123 000042",
                        "NORTH-20261123-000042/../x", "NÖRTH-20261123-000042"] {
            #expect(CaseNumber.reading(refused) == nil, "\(refused)")
        }
    }

    @Test func acceptLanguageChoosesAmongTheThreeLanguagesByWeight() {
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8") == .simplifiedChinese)
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: "zh-TW") == .traditionalChinese)
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: "zh-Hant-HK") == .traditionalChinese)
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: "fr, en-GB;q=0.7") == .english)
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: "en;q=0.2, zh-HK;q=0.8") == .traditionalChinese)
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: "fr, de") == nil)
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: "en;q=0") == nil)
        #expect(ComplainantLanguage.preferred(byAcceptLanguage: ";;,,") == nil)
    }

    @Test func everyStatusAndMilestoneHasWordsInEveryLanguage() {
        for language in ComplainantLanguage.allCases {
            for status in ComplaintStatus.allCases {
                #expect(!ProgressWords.status(status, in: language).isEmpty)
            }
            for milestone in ["acknowledge", "initial_reply", "preliminary_feedback", "result"] {
                #expect(ProgressWords.milestone(milestone, in: language)?.isEmpty == false)
            }
            for action in ComplaintAction.allCases where ![.proposePlan, .rejectPlan, .archive].contains(action) {
                #expect(ProgressWords.event(action.rawValue, level: "2", department: "Billing", in: language)?.isEmpty == false,
                        "\(action) in \(language)")
            }
            for hidden in ["propose_plan", "reject_plan", "archive", "escalated", "classified", "access_code_issued"] {
                #expect(ProgressWords.event(hidden, level: nil, department: nil, in: language) == nil, "\(hidden) stays inside")
            }
        }
        #expect(ProgressWords.event("rerouted", level: nil, department: "法务部", in: .simplifiedChinese) == "由法务部负责处理")
    }
}
