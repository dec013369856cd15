import RedressCore
import Testing

@Suite("Masking customer personal data")
struct PersonalDataMaskTests {
    @Test func masksKeepOnlyWhatRecognisesACustomer() {
        #expect(PersonalDataMask.digits("13812345678") == "138****5678")
        #expect(PersonalDataMask.digits("+86 138 0013 8000") == "+86 1** **** 8000")
        #expect(PersonalDataMask.digits("1234567") == "*******", "too short to show any digit")
        #expect(PersonalDataMask.digits("110105199001011234") == "110***********1234")
        #expect(PersonalDataMask.name("王小明") == "王**")
        #expect(PersonalDataMask.name("Li") == "L*")
        #expect(PersonalDataMask.email("wang.xm@example.com") == "w***@example.com")
        #expect(PersonalDataMask.address("北京市朝阳区建国路88号") == "北京市朝阳区****")
        #expect(PersonalDataMask.address("Short") == "*****")
    }

    @Test func onlyTheRolesThatServeCustomersSeeItInFull() {
        #expect(PersonalDataMask.seesInFull([.agent]) && PersonalDataMask.seesInFull([.handler]) && PersonalDataMask.seesInFull([.departmentHead]))
        for role in [Role.branchManager, .executive, .auditor, .admin, .bot] {
            #expect(!PersonalDataMask.seesInFull([role]), "\(role)")
        }
    }
}
