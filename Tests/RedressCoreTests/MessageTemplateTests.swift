import RedressCore
import Testing

@Suite("Message templates and the built-in wording of messages to complainants")
struct MessageTemplateTests {
    @Test func slotsAreFilledOnceAndNothingElseIsRead() throws {
        let template = try MessageTemplate("Case {{caseNumber}}: {{ update }} ({{caseNumber}})", placeholders: ["caseNumber", "update"])
        #expect(template.render(["caseNumber": "N-1", "update": "{{caseNumber}} refunded"]) == "Case N-1: {{caseNumber}} refunded (N-1)",
                "a value is not read as a template")
        #expect(template.render([:]) == "Case :  ()", "a missing value is empty")
        #expect(try MessageTemplate("No slots, { single } braces", placeholders: []).render([:]) == "No slots, { single } braces")
        #expect(try MessageTemplate("", placeholders: []).render(["x": "y"]) == "")
    }

    @Test func unknownAndUnclosedPlaceholdersAreRefused() {
        #expect(throws: MessageTemplate.Problem.unknownPlaceholder("password")) {
            try MessageTemplate("Your {{password}}", placeholders: ["caseNumber"])
        }
        #expect(throws: MessageTemplate.Problem.unclosedPlaceholder) { try MessageTemplate("Case {{caseNumber", placeholders: ["caseNumber"]) }
        #expect(throws: MessageTemplate.Problem.unknownPlaceholder("")) { try MessageTemplate("{{}}", placeholders: ["caseNumber"]) }
        #expect(MessageTemplate.Problem.unknownPlaceholder("x").description == "names the unknown placeholder {{x}}")
    }

    @Test func everyBuiltInWordingUsesOnlyItsEventsPlaceholders() throws {
        for event in ComplainantMessageEvent.allCases {
            #expect(event.placeholders.isSuperset(of: ComplainantMessageEvent.commonPlaceholders))
            for language in ComplainantLanguage.allCases {
                let text = MessageWording.text(event, in: language)
                let body = try MessageTemplate(text.body, placeholders: event.placeholders)
                _ = try MessageTemplate(text.subject, placeholders: event.placeholders)
                #expect(body.render(["caseNumber": "N-1"]).contains("N-1"), "\(event) in \(language) names the case")
            }
        }
        #expect(MessageWording.text(.received, in: .english).body.contains("{{accessCode}}"), "the confirmation carries the code")
        #expect(MessageWording.text(.graded, in: .simplifiedChinese).body.contains("{{promisedBy}}"))
    }

    @Test func deliveriesMeetTheMilestonesOfTheirEventsOnly() {
        #expect(ComplainantMessageEvent.received.milestone == .acknowledge)
        #expect(ComplainantMessageEvent.graded.milestone == .initialReply)
        #expect(ComplainantMessageEvent.progressUpdate.milestone == .preliminaryFeedback)
        #expect(ComplainantMessageEvent.allCases.filter { $0.milestone != nil }.count == 3)
        #expect(SLAMilestone.met(by: .acknowledge).isEmpty && SLAMilestone.met(by: .grade).isEmpty,
                "a step alone tells the complainant nothing")
        #expect(SLAMilestone.met(by: .feedBackResult) == Set(SLAMilestone.allCases))
        #expect(ComplainantMessageChannel.push.communicationChannel == "app" && ComplainantMessageEvent.result.communicationKind == "result_feedback")
    }
}
