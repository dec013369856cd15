import Foundation
import RedressCore
@testable import RedressServer
import Testing

/// README.md against openapi.yaml and the code, through conventions the README keeps:
/// - "Listing filters": a `#### ` heading names operation ids in backticks; each row of the table
///   under it starts with a parameter name in backticks (`` | `limit` | ``);
/// - the timeline's kinds: the table headed `| kind | written when |`, a kind in backticks first
///   in each row;
/// - configuration documents: a line `<!-- example: SchemaName -->` (a schema of
///   `components.schemas`) right before the ```` ```json ```` block it names.
@Suite("The README against the contract")
struct ReadmeContractTests {
    /// The timeline kinds written besides the lifecycle actions (each action's raw value is a kind
    /// of its own), with a file that writes each.
    static let kindsBesidesActions: [String: String] = [
        "received": "Sources/RedressStore/Complaints/ComplaintStore+Intake.swift",
        "classified": "Sources/RedressStore/Complaints/ComplaintStore+Classification.swift",
        "communication": "Sources/RedressStore/CaseWork/CaseWorkStore.swift",
        "evidence": "Sources/RedressStore/CaseWork/CaseWorkStore.swift",
        "finding": "Sources/RedressStore/CaseWork/CaseWorkStore.swift",
        "page_acknowledged": "Sources/RedressStore/Escalations/PageStore.swift",
        "page_handed_off": "Sources/RedressStore/Escalations/PageStore.swift",
        "page_snoozed": "Sources/RedressStore/Escalations/PageStore.swift",
        "office_joined": "sql/0048_the_complaint_office_joins_when_paged.sql",
        "rerouted": "sql/0053_escalation_routes_by_the_rules.sql",
        "review_requested": "Sources/RedressStore/Reviews/ReviewStore.swift",
        "review_decided": "Sources/RedressStore/Reviews/ReviewStore.swift",
        "reviewers_told": "sql/0057_complainants_answer_surveys_and_ask_for_reviews.sql",
        "institution_referred": "Sources/RedressStore/Institutions/InstitutionStore.swift",
        "institution_replied": "Sources/RedressStore/Institutions/InstitutionStore.swift",
        "dealing_logged": "Sources/RedressStore/Institutions/InstitutionStore.swift",
        "institution_reply_overdue": "sql/0067_institutional_referrals.sql",
        "review_overdue": "sql/0057_complainants_answer_surveys_and_ask_for_reviews.sql",
        "escalated": "sql/0017_owner_functions_pinned.sql",
        "repaged": "sql/0011_paging_delivery.sql",
        "archived": "sql/0018_audit_retention_scheduler_role.sql",
        "erased": "sql/0018_audit_retention_scheduler_role.sql",
        "evidence_erased": "sql/0018_audit_retention_scheduler_role.sql",
    ]

    /// The configuration documents the README must show an example of, by schema.
    static let configurationSchemas: Set<String> = ["NewSLAPolicy", "CalendarChanges", "NewRoutingRule"]

    /// Each query parameter of each operation has a row in the one section naming it, and no row names another.
    @Test func everyQueryParameterHasARowUnderTheHeadingNamingItsOperation() throws {
        let operations = try ContractDocument.served.get().operations
        let sections = Self.filterSections(try Self.readme(), operationIDs: Set(operations.keys))
        var checked = 0
        for (id, operation) in operations.sorted(by: { $0.key < $1.key }) {
            let parameters = Self.queryParameters(of: operation)
            guard !parameters.isEmpty else { continue }
            checked += 1
            let naming = sections.filter { $0.operationIDs.contains(id) }
            #expect(naming.count == 1, "one #### heading names `\(id)`, not \(naming.count)")
            guard let section = naming.first else { continue }
            #expect(parameters.subtracting(section.parameters).sorted() == [], "the table of `\(id)` lacks these")
        }
        #expect(checked > 10, "the contract's operations were read")
        for section in sections {
            let taken = section.operationIDs.reduce(into: Set<String>()) { names, id in
                names.formUnion(operations[id].map(Self.queryParameters(of:)) ?? [])
            }
            #expect(section.parameters.subtracting(taken).sorted() == [],
                    "rows naming no query parameter of \(section.operationIDs.sorted())")
        }
    }

    /// Each GET answering `items` is named, so a listing without parameters is documented too.
    @Test func everyListingIsNamed() throws {
        let readme = try Self.readme()
        let document = try #require(JSONValue.parse(Data(RedressApplication.openAPIDocument.utf8)))
        guard case .object(let paths)? = Self.value(at: ["paths"], in: document) else {
            Issue.record("the document has paths")
            return
        }
        let schemas = try ContractDocument.served.get().validator.components
        var listings: [String] = []
        for case .object(let methods) in paths.values {
            let item = JSONValue.object(methods)
            guard case .string(let id)? = Self.value(at: ["get", "operationId"], in: item),
                  case .string(let reference)? = Self.value(at: ["get", "responses", "200", "content", "application/json", "schema", "$ref"], in: item),
                  let schema = schemas[String(reference.split(separator: "/").last ?? "")],
                  Self.value(at: ["properties", "items"], in: schema) != nil else { continue }
            listings.append(id)
        }
        #expect(listings.count > 10, "the contract's listings were found")
        for id in listings.sorted() { #expect(readme.contains("`\(id)`"), "the README names the listing `\(id)`") }
    }

    /// The README's kinds are exactly the actions' and the other kinds written, each still in its file.
    @Test func everyTimelineKindIsListedAndEveryListedKindIsWritten() throws {
        let root = try Self.packageRoot()
        let listed = Self.timelineKinds(try Self.readme())
        let written = Set(ComplaintAction.allCases.map(\.rawValue)).union(Self.kindsBesidesActions.keys)
        #expect(written.subtracting(listed).sorted() == [], "kinds missing from the README's table")
        #expect(listed.subtracting(written).sorted() == [], "kinds in the README that nothing writes")
        #expect(listed.contains("page_acknowledged"))
        for (kind, file) in Self.kindsBesidesActions.sorted(by: { $0.key < $1.key }) {
            let source = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            #expect(source.contains("'\(kind)'") || source.contains("\"\(kind)\""), "\(file) writes `\(kind)`")
        }
    }

    /// Every example is JSON without a violation of its schema, and each configuration document has one.
    @Test func everyExampleMatchesItsSchema() throws {
        let examples = Self.examples(try Self.readme())
        let validator = try ContractDocument.served.get().validator
        #expect(Set(examples.map { $0.schema }).isSuperset(of: Self.configurationSchemas), "an example of each configuration document")
        for example in examples {
            #expect(validator.components[example.schema] != nil, "`\(example.schema)` is a schema of openapi.yaml")
            guard let value = JSONValue.parse(Data(example.json.utf8)) else {
                Issue.record("the \(example.schema) example is a ```json block of valid JSON")
                continue
            }
            let violations = validator.violations(of: value, against: .object(["$ref": .string("#/components/schemas/\(example.schema)")]))
            #expect(violations == [], "\(example.schema): \(violations.map { "\($0.field) \($0.message)" })")
        }
    }

    /// The policy and calendar examples also pass the rules the server adds (ladder order, intervals).
    @Test func thePolicyAndCalendarExamplesPassTheRulesBeyondTheirSchemas() throws {
        let examples = Dictionary(Self.examples(try Self.readme()).map { ($0.schema, Data($0.json.utf8)) }) { first, _ in first }
        let policy = try JSONDecoder().decode(RedressServer.Components.Schemas.NewSLAPolicy.self, from: try #require(examples["NewSLAPolicy"]))
        _ = try policy.policy()
        let calendar = try JSONDecoder().decode(RedressServer.Components.Schemas.CalendarChanges.self,
                                                from: try #require(examples["CalendarChanges"]))
        _ = try calendar.parsed()
    }

    /// A "Listing filters" section: the operations its heading names and the parameters its rows name.
    struct FilterSection {
        var operationIDs: Set<String>
        var parameters: Set<String> = []
    }

    /// The package root: the nearest folder above this file holding Package.swift.
    static func packageRoot() throws -> URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            folder.deleteLastPathComponent()
        }
        try #require(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path), "found the package root")
        return folder
    }

    /// README.md's text.
    static func readme() throws -> String {
        try String(contentsOf: packageRoot().appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// The names of the query parameters of `operation`.
    static func queryParameters(of operation: ContractDocument.Operation) -> Set<String> {
        Set(operation.parameters.filter { $0.location == .query }.map(\.name))
    }

    /// The text between each pair of backticks of `line`.
    static func codeSpans(in line: Substring) -> [String] {
        line.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// Every `#### ` section of `readme`, with the ids of `operationIDs` its heading names.
    static func filterSections(_ readme: String, operationIDs: Set<String>) -> [FilterSection] {
        var sections: [FilterSection] = []
        var inSection = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#### ") {
                sections.append(FilterSection(operationIDs: Set(codeSpans(in: line)).intersection(operationIDs)))
                inSection = true
            } else if line.hasPrefix("#") {
                inSection = false
            } else if inSection, line.hasPrefix("| `"), let name = codeSpans(in: line).first {
                sections[sections.count - 1].parameters.insert(name)
            }
        }
        return sections
    }

    /// The kinds of the table headed `| kind | written when |`.
    static func timelineKinds(_ readme: String) -> Set<String> {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.firstIndex(of: "| kind | written when |") else { return [] }
        let rows = lines[(header + 1)...].prefix { $0.hasPrefix("|") }.filter { $0.hasPrefix("| `") }
        return Set(rows.compactMap { codeSpans(in: $0).first })
    }

    /// Each `<!-- example: Schema -->` marker's schema and the ```json block right after it
    /// (empty when none follows).
    static func examples(_ readme: String) -> [(schema: String, json: String)] {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        let (opening, closing) = ("<!-- example: ", " -->")
        return lines.indices.filter { lines[$0].hasPrefix(opening) && lines[$0].hasSuffix(closing) }.map { index in
            let schema = String(lines[index].dropFirst(opening.count).dropLast(closing.count))
            let following = lines[(index + 1)...]
            guard following.first == "```json" else { return (schema: schema, json: "") }
            return (schema: schema, json: following.dropFirst().prefix { $0 != "```" }.joined(separator: "\n"))
        }
    }

    /// The value at `path` through nested objects, or nil.
    static func value(at path: [String], in value: JSONValue) -> JSONValue? {
        path.reduce(Optional(value)) { current, key in
            guard case .object(let members)? = current else { return nil }
            return members[key]
        }
    }
}
