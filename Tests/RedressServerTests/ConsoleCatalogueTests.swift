import Foundation
import RedressConsoleAssets
@testable import RedressServer
import Testing

/// The console's words and drawings, without a database: every label a template or a page uses is
/// in both catalogues, languages are chosen as people expect, charts escape what they draw.
@Suite("The console's catalogue and charts")
struct ConsoleCatalogueTests {
    @Test func bothLanguagesHaveEveryKeyAndEveryTemplateLabelExists() throws {
        let english = try #require(MessageCatalogue.shared.tables["en"])
        let chinese = try #require(MessageCatalogue.shared.tables["zh-Hans"])
        #expect(english.count > 300)
        #expect(Set(english.keys) == Set(chinese.keys), "\(Set(english.keys).symmetricDifference(chinese.keys).sorted())")
        let templates = ConsoleAssets.paths(under: "templates/")
        #expect(templates.count >= 12)
        for path in templates {
            let text = try #require(ConsoleAssets.text(path))
            let labels = text.matches(of: /\{\{t\.([A-Za-z_]+)\}\}/).map { String($0.1) }
            for label in labels { #expect(english[label] != nil, "\(path) uses t.\(label), which the catalogue lacks") }
            // Words come from the catalogue: a template's own text is markup and placeholders only.
            let stripped = text.replacing(/\{\{[^}]*\}\}\}?/, with: "").replacing(/<[^>]*>/, with: "")
            let words = stripped.split(whereSeparator: { !$0.isLetter }).filter { $0.count > 2 }
            // The product's name, and each language named in its own words in the language switch.
            #expect(words.allSatisfy { ["Redress", "English", "简体中文"].contains(String($0)) }, "\(path) hard-codes \(words.map { String($0) })")
        }
    }

    @Test func everyWordOfTheContractsVocabulariesHasALabel() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(RedressApplication.openAPIDocument.utf8)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        /// The words of an enum anywhere below `value` (a property, its items, its alternatives).
        func words(_ value: Any?) -> [String] {
            guard let object = value as? [String: Any] else { return [] }
            if let list = object["enum"] as? [Any] { return list.compactMap { $0 as? String ?? ($0 as? Int).map(String.init) } }
            if let reference = object["$ref"] as? String { return words(schemas[String(reference.split(separator: "/").last ?? "")]) }
            return words(object["items"]) + ((object["anyOf"] ?? object["oneOf"]) as? [Any] ?? []).flatMap(words)
        }
        func property(_ schema: String, _ path: String...) -> Any? {
            path.reduce(schemas[schema] as Any?) { (($0 as? [String: Any])?["properties"] as? [String: Any])?[$1] }
        }
        let vocabularies: [(String, Any?)] = [
            ("status", property("Complaint", "status")), ("channel", property("NewCommunication", "channel")),
            ("priority", property("Intake", "priority")), ("nature", property("Complaint", "nature")),
            ("bucket", property("WorkQueueBucket", "bucket")), ("measure", property("Step", "plan", "measures")),
            ("customerType", property("NewComplainant", "customerType")), ("language", property("NewComplainant", "language")),
            ("preferredChannel", property("NewComplainant", "preferredChannel")), ("source", property("Intake", "source")),
            ("planStatus", property("Plan", "status")), ("departmentKind", property("NewDepartment", "kind")),
            ("role", property("NewUser", "roles")), ("webhookKind", property("NewWebhook", "kind")),
            ("evidenceType", property("NewEvidence", "type")), ("action", property("AuditEntry", "action")),
            ("direction", property("NewCommunication", "direction")), ("kind", property("NewCommunication", "kind")),
            ("counting", property("NewSLAPolicy", "counting")), ("basis", property("NewFinding", "basis")),
        ]
        let steps = ((document["paths"] as? [String: Any])?["/v1/complaints/{id}/actions/{action}"] as? [String: Any])?["post"]
        let stepWords = ((steps as? [String: Any])?["parameters"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "action" }
        let english = try #require(MessageCatalogue.shared.tables["en"])
        let chinese = try #require(MessageCatalogue.shared.tables["zh-Hans"])
        var checked = 0
        for (prefix, schema) in vocabularies + [("action", stepWords?["schema"])] {
            let list = words(schema)
            #expect(!list.isEmpty, "the contract names the words of \(prefix)")
            for word in list {
                checked += 1
                #expect(english["\(prefix)_\(word)"] != nil && chinese["\(prefix)_\(word)"] != nil, "\(prefix)_\(word) has no label")
            }
        }
        #expect(checked > 100)
    }

    @Test func theLanguageIsThePersonsChoiceElseTheBrowsersElseEnglish() {
        #expect(MessageCatalogue.language(preference: "zh-Hans", acceptLanguage: "en") == "zh-Hans")
        #expect(MessageCatalogue.language(preference: "fr", acceptLanguage: "zh-TW,en;q=0.5") == "zh-Hans")
        #expect(MessageCatalogue.language(preference: nil, acceptLanguage: "fr-FR, en;q=0.8, zh;q=0.9") == "zh-Hans")
        #expect(MessageCatalogue.language(preference: nil, acceptLanguage: "de, en-US;q=0.7") == "en")
        #expect(MessageCatalogue.language(preference: nil, acceptLanguage: "zh;q=0, en") == "en")
        #expect(MessageCatalogue.language(preference: nil, acceptLanguage: ";;,,") == "en")
        #expect(MessageCatalogue.language(preference: nil, acceptLanguage: nil) == "en")
    }

    @Test func problemsAreTranslatedWhereTheCatalogueKnowsThem() {
        #expect(ProblemLanguage.message("must be at most 200 characters", in: "zh-Hans") == "不能超过 200 个字符")
        #expect(ProblemLanguage.message("is required", in: "zh-Hans") == "必填")
        #expect(ProblemLanguage.message("must be one of: a, b", in: "zh-Hans") == "必须是以下之一：a, b")
        #expect(ProblemLanguage.message("something new", in: "zh-Hans") == "something new")
        #expect(ProblemLanguage.message("is required", in: "en") == "is required")
        let problem = ProblemLanguage.translated(.validationFailed([.init(field: "/x", message: "is required")]), into: "zh-Hans")
        #expect(problem.title == "校验未通过" && problem.errors?.first?.message == "必填" && problem.errors?.first?.field == "/x")
    }

    @Test func chartsEscapeTheirLabelsAndScaleToTheLargestValue() {
        let svg = SVGChart.bars(title: "A <b>&", [.init(label: "<script>alert(1)</script>", value: 3), .init(label: "x\"y", value: 6)])
        #expect(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("x&quot;y") && svg.contains("A &lt;b&gt;&amp;"))
        #expect(svg.contains("width=\"370.0\""), "the largest value fills the plot")
        let rates = SVGChart.bars(title: "t", [.init(label: "a", value: 0.5)], maximum: 1, target: 0.9, targetLabel: "target", percent: true)
        #expect(rates.contains("50.0%") && rates.contains("90.0%") && rates.contains("chart-target"))
        let trend = SVGChart.columns(title: "t", (1...12).map { .init(label: "\($0)", value: Double($0)) })
        #expect(trend.components(separatedBy: "class=\"chart-bar\"").count - 1 == 12)
        #expect(SVGChart.bars(title: "t", []).contains("—"))
    }

    @Test func theReportsMonthsAreTwelveEndingWithTheChosenOne() {
        #expect(ConsoleReportPage.months(ending: "2026-03") == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
                                                               "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"])
        #expect(ConsoleReportPage.month("2026-13") == nil && ConsoleReportPage.month("26-01") == nil && ConsoleReportPage.month("2026-01") == "2026-01")
        #expect(ConsoleReportPage.month("2026/01") == nil && ConsoleReportPage.month(nil) == nil)
    }

    @Test func formsAreReadAsBrowsersSendThem() {
        let form = ConsoleForm(encoded: "a=1&b=x+y%26z&b=2&empty=&=nameless&c=%E4%B8%AD")
        #expect(form["a"] == "1" && form["b"] == "x y&z" && form.all("b") == ["x y&z", "2"] && form["empty"] == nil && form["c"] == "中")
        #expect(ConsoleIntakePage.rfc3339(local: "2026-12-05T09:30", in: TimeZone(identifier: "Asia/Shanghai")!) == "2026-12-05T01:30:00Z")
        #expect(ConsoleIntakePage.rfc3339(local: "soon", in: TimeZone(identifier: "UTC")!) == nil)
        #expect(ConsoleValues.nested(["/a/b": "1", "/a/c": "2", "/d": "3"]) as NSDictionary == ["a": ["b": "1", "c": "2"], "d": "3"] as NSDictionary)
    }
}
