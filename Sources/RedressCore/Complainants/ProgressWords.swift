/// What a complainant reads about their complaint's progress, in plain words in each
/// ``ComplainantLanguage``: where the complaint stands, the milestones, and the timeline entries
/// they are told of. Staff names and internal steps (proposals, rejections, escalations) have no
/// words here because the public view never shows them.
public enum ProgressWords {
    /// Where a complaint in `status` stands.
    public static func status(_ status: ComplaintStatus, in language: ComplainantLanguage) -> String {
        let words: (String, String, String)
        switch status {
        case .received:
            words = ("We have received your complaint.", "我们已收到您的投诉。", "我們已收到您的投訴。")
        case .acknowledged:
            words = ("We have confirmed your complaint and are assessing it.", "我们已确认受理您的投诉，正在评估。",
                     "我們已確認受理您的投訴，正在評估。")
        case .graded:
            words = ("Your complaint has been assessed and is being passed to the department that will handle it.",
                     "您的投诉已完成评估，正在转交负责部门。", "您的投訴已完成評估，正在轉交負責部門。")
        case .assigned:
            words = ("A department has taken your complaint on.", "负责部门已接手您的投诉。", "負責部門已接手您的投訴。")
        case .investigating:
            words = ("We are looking into what happened.", "我们正在调查核实情况。", "我們正在調查核實情況。")
        case .planProposed, .planHeadApproved:
            words = ("We are preparing a way to resolve your complaint.", "我们正在制定处理方案。", "我們正在制定處理方案。")
        case .planApproved:
            words = ("A way to resolve your complaint has been approved.", "处理方案已获批准。", "處理方案已獲批准。")
        case .implementing:
            words = ("We are carrying out the resolution.", "我们正在落实处理方案。", "我們正在落實處理方案。")
        case .resultFedBack:
            words = ("We have told you the result and will ask how satisfied you are.",
                     "我们已向您反馈处理结果，稍后将回访您的满意度。", "我們已向您反饋處理結果，稍後將回訪您的滿意度。")
        case .followUp:
            words = ("We are asking how satisfied you are with the result.", "我们正在回访您对处理结果的满意度。",
                     "我們正在回訪您對處理結果的滿意度。")
        case .awaitingCustomer:
            words = ("We are waiting for information from you.", "我们正在等待您补充信息。", "我們正在等待您補充資訊。")
        case .closed, .archived:
            words = ("Your complaint is closed.", "您的投诉已办结。", "您的投訴已辦結。")
        }
        return pick(words, language)
    }

    /// A milestone's name: `acknowledge`, `initial_reply`, `preliminary_feedback` or `result`.
    public static func milestone(_ milestone: String, in language: ComplainantLanguage) -> String? {
        let words: (String, String, String)
        switch milestone {
        case "acknowledge": words = ("Receipt confirmed", "确认受理", "確認受理")
        case "initial_reply": words = ("First reply with the level and the promised time", "初步答复（级别与承诺时限）",
                                       "初步答覆（級別與承諾時限）")
        case "preliminary_feedback": words = ("Preliminary findings", "初步处理意见", "初步處理意見")
        case "result": words = ("Result", "处理结果", "處理結果")
        default: return nil
        }
        return pick(words, language)
    }

    /// A timeline entry of `kind` (a lifecycle action, `received`, `rerouted`, a statement or a
    /// review), naming the level and department when the entry set them and a review's `outcome`;
    /// nil for kinds the complainant is not told of.
    public static func event(_ kind: String, level: String?, department: String?, outcome: String? = nil,
                             in language: ComplainantLanguage) -> String? {
        let words: (String, String, String)
        switch kind {
        case "received": words = ("Complaint received", "投诉已登记", "投訴已登記")
        case "acknowledge": words = ("Receipt confirmed", "已确认受理", "已確認受理")
        case "grade":
            if let level {
                words = ("Assessed as a level \(level) complaint", "已评定为\(level)级投诉", "已評定為\(level)級投訴")
            } else {
                words = ("Assessed", "已完成评估", "已完成評估")
            }
        case "assign", "reassign", "rerouted":
            if let department {
                words = ("Handled by \(department)", "由\(department)负责处理", "由\(department)負責處理")
            } else {
                words = ("Passed on for handling", "已转交处理", "已轉交處理")
            }
        case "start_investigation": words = ("Investigation started", "开始调查核实", "開始調查核實")
        case "approve_plan": words = ("Resolution plan approved", "处理方案已批准", "處理方案已批准")
        case "start_implementation": words = ("Resolution being carried out", "开始落实处理方案", "開始落實處理方案")
        case "feed_back_result": words = ("Result given to you", "已向您反馈处理结果", "已向您反饋處理結果")
        case "resolve_on_the_spot": words = ("Resolved on the spot", "已当场解决", "已當場解決")
        case "start_follow_up": words = ("Satisfaction follow-up started", "开始满意度回访", "開始滿意度回訪")
        case "record_satisfaction": words = ("Your satisfaction was recorded", "已记录您的满意度评价", "已記錄您的滿意度評價")
        case "close": words = ("Complaint closed", "投诉已办结", "投訴已辦結")
        case "mark_invalid": words = ("Closed with an explanation: not a complaint we can act on",
                                      "经核实不属于可受理的投诉，已说明原因并办结", "經核實不屬於可受理的投訴，已說明原因並辦結")
        case "reopen": words = ("Complaint reopened for further handling", "投诉已重新处理", "投訴已重新處理")
        case "await_customer": words = ("Waiting for information from you", "等待您补充信息", "等待您補充資訊")
        case "resume": words = ("Handling resumed", "恢复处理", "恢復處理")
        case "statement_received": words = ("Your information was received", "已收到您补充的信息", "已收到您補充的資訊")
        case "review_requested": words = ("Your request for a review was received", "已收到您的复议申请", "已收到您的覆議申請")
        case "review_decided":
            switch outcome {
            case "revised": words = ("Review decided: your complaint will be handled again", "复议结论：重新处理您的投诉",
                                     "覆議結論：重新處理您的投訴")
            case "upheld": words = ("Review decided: the result stands", "复议结论：维持原处理结果", "覆議結論：維持原處理結果")
            default: words = ("Review decided", "复议已作出结论", "覆議已作出結論")
            }
        default: return nil
        }
        return pick(words, language)
    }

    private static func pick(_ words: (en: String, hans: String, hant: String), _ language: ComplainantLanguage) -> String {
        switch language {
        case .english: return words.en
        case .simplifiedChinese: return words.hans
        case .traditionalChinese: return words.hant
        }
    }
}
