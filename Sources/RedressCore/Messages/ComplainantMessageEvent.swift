/// What a complainant is sent a message about.
public enum ComplainantMessageEvent: String, Sendable, CaseIterable, Codable {
    /// The complaint was recorded: the case number and the access code.
    case received
    /// The complaint was graded: its level, the promised time and a contact.
    case graded
    /// A handler's progress update.
    case progressUpdate = "progress_update"
    /// The result was fed back, with any compensation.
    case result
    /// The satisfaction survey's invitation, with its link.
    case survey
    /// A request for review was received.
    case reviewReceived = "review_received"
    /// A review was decided.
    case reviewDecided = "review_decided"

    /// The placeholders every event's templates may name.
    public static let commonPlaceholders: Set<String> = ["caseNumber", "name", "branch", "contact", "lookupLink"]

    /// The placeholders this event's templates may name: the common ones and its own.
    public var placeholders: Set<String> {
        switch self {
        case .received: return Self.commonPlaceholders.union(["accessCode", "receivedAt"])
        case .graded: return Self.commonPlaceholders.union(["level", "promisedBy", "department"])
        case .progressUpdate: return Self.commonPlaceholders.union(["update"])
        case .result: return Self.commonPlaceholders.union(["resolution", "compensation"])
        case .survey: return Self.commonPlaceholders.union(["surveyLink"])
        case .reviewReceived: return Self.commonPlaceholders.union(["reviewDueBy"])
        case .reviewDecided: return Self.commonPlaceholders.union(["reviewOutcome", "reviewReason"])
        }
    }

    /// The milestone the message meets once it is delivered, if any.
    public var milestone: SLAMilestone? {
        switch self {
        case .received: return .acknowledge
        case .graded: return .initialReply
        case .progressUpdate: return .preliminaryFeedback
        default: return nil
        }
    }

    /// The kind of communications-log entry the message is written as.
    public var communicationKind: String {
        switch self {
        case .received: return "confirmation"
        case .graded: return "initial_reply"
        case .progressUpdate: return "progress_update"
        case .result: return "result_feedback"
        case .survey: return "follow_up"
        case .reviewReceived, .reviewDecided: return "note"
        }
    }
}

/// How a complainant is reached: by SMS, email, app push or the online platform.
public enum ComplainantMessageChannel: String, Sendable, CaseIterable, Codable {
    case sms, email, push, online

    /// The communications log's name for the channel.
    public var communicationChannel: String {
        switch self {
        case .sms: return "sms"
        case .email: return "email"
        case .push: return "app"
        case .online: return "web"
        }
    }
}
