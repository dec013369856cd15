import Foundation
import Postgres
import RedressCore

/// A complaint as its complainant sees it without signing in: no staff names, no notes, no
/// personal data (`progress.look_up`, sql/0055).
public struct PublicProgress: Sendable, Codable, Equatable {
    /// A milestone's deadline and when it was met.
    public struct Milestone: Sendable, Codable, Equatable {
        public var milestone: String
        public var dueAt: Date?
        public var metAt: Date?
    }

    /// A timeline entry the complainant is told of.
    public struct Entry: Sendable, Codable, Equatable {
        public var at: Date
        public var kind: String
        public var level: String?
        public var promisedBy: String?
        public var department: String?
        /// A review's decision: `upheld` or `revised`.
        public var outcome: String?
    }

    public var caseNumber: String
    public var status: ComplaintStatus
    public var pausedFrom: ComplaintStatus?
    public var language: ComplainantLanguage
    public var receivedAt: Date
    public var level: Int?
    public var category: String?
    public var product: String?
    /// The name of the department handling the complaint.
    public var department: String?
    public var promisedBy: Date?
    public var closedAt: Date?
    public var reopenCount: Int
    public var milestones: [Milestone]
    public var timeline: [Entry]
}


extension ComplaintStore {
    private struct LookupAnswer: Codable, Sendable {
        var outcome: String
        var retryAfterSeconds: Int?
        var complaint: PublicProgress?
        /// The version of the complaint an admission admitted (`progress.version`).
        var version: String?
    }

    /// The public view of the complaint with `caseNumber` when `code` is its access code. Runs
    /// alone in its transaction as the owner function `progress.look_up`, which counts wrong codes
    /// per case number (known or not), locks it after `StoreConfiguration.lookupFailuresBeforeLock`
    /// of them and records every lookup in the branch's audit trail with `client`. While a read
    /// replica serves, the lookup is admitted so on the primary (`progress.admit_lookup`) and its
    /// view read on the replica (`progress.admitted_view`, sql/0074) when the replica has the
    /// complaint as the primary admitted it; otherwise (not yet, or the replica fails) the primary
    /// shows it, so that a complainant reads back what they just added.
    public func lookUpProgress(caseNumber: String, code: AccessCode, client: String, requestID: String?) async throws
        -> ComplainantOutcome<PublicProgress> {
        let configuration = database.configuration
        let lockSeconds = Double(configuration.lookupLock.components.seconds)
        let digest = vault.accessCodeDigest(code)
        let reading = await database.forStaleReads()
        guard reading.pool !== database.pool else {
            let row = try await database.pool.query("""
                SELECT progress.look_up(\(caseNumber), \(digest), \(client), \(requestID),
                                        \(configuration.lookupFailuresBeforeLock)::integer, make_interval(secs => \(lockSeconds)))
                """)[0]
            return try Self.outcome(try row.decode(PGJSON<LookupAnswer>.self, at: 0).value)
        }
        let admission = try await database.pool.query("""
            SELECT progress.admit_lookup(\(caseNumber), \(digest), \(client), \(requestID),
                                         \(configuration.lookupFailuresBeforeLock)::integer, make_interval(secs => \(lockSeconds)))
            """)[0].decode(PGJSON<LookupAnswer>.self, at: 0).value
        guard admission.outcome == "admitted", let version = admission.version else { return try Self.outcome(admission) }
        func view(on pool: PGPool, version: String?) async throws -> LookupAnswer {
            try await pool.query("SELECT progress.admitted_view(\(caseNumber), \(digest), \(version))")[0]
                .decode(PGJSON<LookupAnswer>.self, at: 0).value
        }
        // The replica's answer, when it has the complaint at the admitted version.
        if let answer = try await ScopedDatabase.unlessTheReplicaFails({ try await view(on: reading.pool, version: version) }),
           answer.outcome == "found" {
            return try Self.outcome(answer)
        }
        return try Self.outcome(try await view(on: database.pool, version: nil))
    }

    /// What a lookup's answer means for the complainant.
    private static func outcome(_ answer: LookupAnswer) throws -> ComplainantOutcome<PublicProgress> {
        switch answer.outcome {
        case "found":
            guard let complaint = answer.complaint else { throw PGDecodingFailure("a found complaint without its view") }
            return .done(complaint)
        case "locked":
            return .locked(retryAfterSeconds: answer.retryAfterSeconds ?? 1)
        default:
            return .unknown
        }
    }

    /// Gives the complaint a new access code, which replaces the old one and lifts a lock on its
    /// case number; the code is in the answer only. Only roles that see the complainant's
    /// personal data in full may, since they are the ones who can confirm who is asking.
    /// `.notFound` when the caller cannot see the complaint, `.forbidden` when they may not.
    public func reissueAccessCode(_ caller: Caller, id: UUID) async throws -> (caseNumber: String, code: AccessCode) {
        let code = AccessCode.generate()
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection -> (caseNumber: String, code: AccessCode) in
                let complaint = try await lockForChange(id, changingVisibility: false, connection)
                guard caller.scope.personalDataBranchIDs.contains(complaint.branchId) else { throw StoreError.forbidden }
                try await connection.execute("""
                    UPDATE complaints SET access_code_digest = \(vault.accessCodeDigest(code)), updated_at = now()
                     WHERE branch_id = \(complaint.branchId) AND id = \(complaint.id)
                    """)
                try await connection.execute("""
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind,
                                                  \(unescaped: CaseVisibility.columns))
                    VALUES (\(complaint.branchId), \(complaint.id), \(caller.userID), \(caller.actorRoles),
                            'access_code_issued', \(complaint.departmentId), \(complaint.collaboratingDepartmentIds),
                            \(complaint.responsibleUserId))
                    """)
                // In a transaction of its own (the failures are the owner's), before this one commits
                // the code: should the lock stay, the new code still reaches the caller.
                _ = try await database.pool.query("SELECT progress.forget_failures(\(complaint.caseNumber))")
                return (complaint.caseNumber, code)
            }
        }
    }
}

/// What adding a complainant's statement came to.
public enum StatementOutcome: Sendable, Equatable {
    case added(communicationID: UUID, at: Date)
    /// No such case, or not this code.
    case unknown
    case locked(retryAfterSeconds: Int)
    /// As many statements as a day takes came within the last 24 hours.
    case tooMany(retryAfterSeconds: Int)
    /// The complaint is archived and takes nothing more.
    case archived
}

extension ComplaintStore {
    private struct StatementAnswer: Codable, Sendable {
        var outcome: String
        var retryAfterSeconds: Int?
        var communicationId: UUID?
        var at: Date?
    }

    /// Adds the complainant's `text` to the complaint with `caseNumber` when `code` is its access
    /// code: an inbound statement in the communications log and a `statement_received` timeline
    /// entry, through the owner function `progress.add_statement`, with the lookup's lock and audit,
    /// at most 20 in 24 hours per complaint.
    /// A file the complainant attaches to a statement.
    public struct Attachment: Sendable, Equatable {
        public var fileName: String
        public var contentType: String
        public var content: Data

        /// Creates an attachment.
        public init(fileName: String, contentType: String, content: Data) {
            self.fileName = fileName
            self.contentType = contentType
            self.content = content
        }
    }

    /// Adds the statement and then, admitted again with the same code, its attachments as the
    /// complainant's electronic evidence (source `complainant`), each on the timeline.
    public func addStatement(caseNumber: String, code: AccessCode, text: String, attachments: [Attachment], client: String,
                             requestID: String?) async throws -> StatementOutcome {
        let outcome = try await addStatement(caseNumber: caseNumber, code: code, text: text, client: client, requestID: requestID)
        guard case .added = outcome, !attachments.isEmpty else { return outcome }
        let attached = try await asComplainant(caseNumber: caseNumber, code: code, client: client, requestID: requestID,
                                               via: "public_statement") { caller, connection -> Int in
            guard case .accessCode(let complaintID) = caller.credential else { throw StoreError.forbidden }
            for file in attachments {
                _ = try await CaseWorkStore.addEvidence(caller, complaintID: complaintID, .init(
                    type: "electronic", source: "complainant", description: file.fileName, collectedAt: Date(),
                    collectedBy: "complainant", contentType: file.contentType, content: file.content), connection)
            }
            return attachments.count
        }
        guard case .done = attached else { throw StoreError.conflict(field: "/code", message: "stopped working while the attachments were added") }
        return outcome
    }

    public func addStatement(caseNumber: String, code: AccessCode, text: String, client: String, requestID: String?) async throws
        -> StatementOutcome {
        let configuration = database.configuration
        let row = try await database.pool.query("""
            SELECT progress.add_statement(\(caseNumber), \(vault.accessCodeDigest(code)), \(client), \(requestID),
                                          \(configuration.lookupFailuresBeforeLock)::integer,
                                          make_interval(secs => \(Double(configuration.lookupLock.components.seconds))), \(text))
            """)[0]
        let answer = try row.decode(PGJSON<StatementAnswer>.self, at: 0).value
        switch answer.outcome {
        case "added":
            guard let id = answer.communicationId, let at = answer.at else { throw PGDecodingFailure("a statement without its id") }
            return .added(communicationID: id, at: at)
        case "locked": return .locked(retryAfterSeconds: answer.retryAfterSeconds ?? 1)
        case "too_many": return .tooMany(retryAfterSeconds: answer.retryAfterSeconds ?? 1)
        case "archived": return .archived
        default: return .unknown
        }
    }
}
