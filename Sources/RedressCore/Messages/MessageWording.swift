/// The built-in wording of each message, in each ``ComplainantLanguage``, used wherever a branch
/// has not saved a template of its own for the event, channel and language. One wording serves
/// every channel; an email takes the subject, other channels the body alone.
public enum MessageWording {
    /// The subject and body of `event` in `language`, as template text.
    public static func text(_ event: ComplainantMessageEvent, in language: ComplainantLanguage) -> (subject: String, body: String) {
        let words: (en: (String, String), hans: (String, String), hant: (String, String))
        switch event {
        case .received:
            words = (("We have received your complaint {{caseNumber}}",
                      "Dear {{name}}, {{branch}} has recorded your complaint as {{caseNumber}} on {{receivedAt}}. "
                      + "Your access code is {{accessCode}}; with it you can follow your complaint at {{lookupLink}}. "
                      + "We will tell you how we will handle it soon. Contact: {{contact}}"),
                     ("我们已收到您的投诉 {{caseNumber}}",
                      "{{name}}您好，{{branch}}已于{{receivedAt}}受理您的投诉，编号{{caseNumber}}，查询码{{accessCode}}，"
                      + "可在{{lookupLink}}查询进度。我们将尽快告知处理安排。联系方式：{{contact}}"),
                     ("我們已收到您的投訴 {{caseNumber}}",
                      "{{name}}您好，{{branch}}已於{{receivedAt}}受理您的投訴，編號{{caseNumber}}，查詢碼{{accessCode}}，"
                      + "可在{{lookupLink}}查詢進度。我們將盡快告知處理安排。聯絡方式：{{contact}}"))
        case .graded:
            words = (("How we will handle your complaint {{caseNumber}}",
                      "Dear {{name}}, thank you for telling us. Your complaint {{caseNumber}} is graded level {{level}} "
                      + "and is handled by our {{department}}. We will give you the result by {{promisedBy}}. "
                      + "Contact: {{contact}}. Progress: {{lookupLink}}"),
                     ("关于您的投诉 {{caseNumber}} 的处理安排",
                      "{{name}}您好，感谢您的反映。您的投诉{{caseNumber}}定为{{level}}级，由{{department}}负责处理，"
                      + "我们承诺于{{promisedBy}}前答复处理结果。联系方式：{{contact}}。进度查询：{{lookupLink}}"),
                     ("關於您的投訴 {{caseNumber}} 的處理安排",
                      "{{name}}您好，感謝您的反映。您的投訴{{caseNumber}}定為{{level}}級，由{{department}}負責處理，"
                      + "我們承諾於{{promisedBy}}前答覆處理結果。聯絡方式：{{contact}}。進度查詢：{{lookupLink}}"))
        case .progressUpdate:
            words = (("News about your complaint {{caseNumber}}",
                      "Dear {{name}}, about your complaint {{caseNumber}}: {{update}} Progress: {{lookupLink}}"),
                     ("您的投诉 {{caseNumber}} 的最新进展",
                      "{{name}}您好，关于您的投诉{{caseNumber}}：{{update}} 进度查询：{{lookupLink}}"),
                     ("您的投訴 {{caseNumber}} 的最新進展",
                      "{{name}}您好，關於您的投訴{{caseNumber}}：{{update}} 進度查詢：{{lookupLink}}"))
        case .result:
            words = (("The result of your complaint {{caseNumber}}",
                      "Dear {{name}}, we have dealt with your complaint {{caseNumber}}: {{resolution}} "
                      + "Compensation: {{compensation}}. If you disagree you may ask for a review. Contact: {{contact}}"),
                     ("您的投诉 {{caseNumber}} 的处理结果",
                      "{{name}}您好，您的投诉{{caseNumber}}已处理：{{resolution}} 补偿：{{compensation}}。"
                      + "如有异议，可申请复议。联系方式：{{contact}}"),
                     ("您的投訴 {{caseNumber}} 的處理結果",
                      "{{name}}您好，您的投訴{{caseNumber}}已處理：{{resolution}} 補償：{{compensation}}。"
                      + "如有異議，可申請覆議。聯絡方式：{{contact}}"))
        case .survey:
            words = (("How satisfied are you with how we handled {{caseNumber}}?",
                      "Dear {{name}}, please tell us how satisfied you are with how we handled your complaint {{caseNumber}}: "
                      + "{{surveyLink}}"),
                     ("请评价我们对投诉 {{caseNumber}} 的处理",
                      "{{name}}您好，请您评价我们对投诉{{caseNumber}}的处理是否满意：{{surveyLink}}"),
                     ("請評價我們對投訴 {{caseNumber}} 的處理",
                      "{{name}}您好，請您評價我們對投訴{{caseNumber}}的處理是否滿意：{{surveyLink}}"))
        case .reviewReceived:
            words = (("We have received your request for a review of {{caseNumber}}",
                      "Dear {{name}}, someone who did not handle your complaint {{caseNumber}} will review it and answer "
                      + "by {{reviewDueBy}}. Contact: {{contact}}"),
                     ("我们已收到您对投诉 {{caseNumber}} 的复议申请",
                      "{{name}}您好，您的投诉{{caseNumber}}将由未参与处理的人员复议，我们将于{{reviewDueBy}}前答复。联系方式：{{contact}}"),
                     ("我們已收到您對投訴 {{caseNumber}} 的覆議申請",
                      "{{name}}您好，您的投訴{{caseNumber}}將由未參與處理的人員覆議，我們將於{{reviewDueBy}}前答覆。聯絡方式：{{contact}}"))
        case .reviewDecided:
            words = (("The review of your complaint {{caseNumber}}",
                      "Dear {{name}}, the review of your complaint {{caseNumber}} is decided: {{reviewOutcome}}. "
                      + "{{reviewReason}} Contact: {{contact}}"),
                     ("您的投诉 {{caseNumber}} 的复议结果",
                      "{{name}}您好，您的投诉{{caseNumber}}复议结果：{{reviewOutcome}}。{{reviewReason}} 联系方式：{{contact}}"),
                     ("您的投訴 {{caseNumber}} 的覆議結果",
                      "{{name}}您好，您的投訴{{caseNumber}}覆議結果：{{reviewOutcome}}。{{reviewReason}} 聯絡方式：{{contact}}"))
        }
        switch language {
        case .english: return words.en
        case .simplifiedChinese: return words.hans
        case .traditionalChinese: return words.hant
        }
    }

    /// A review's decision as its complainant reads it: the result stands (`upheld`), or the
    /// complaint is handled again (`revised`).
    public static func reviewOutcome(revised: Bool, in language: ComplainantLanguage) -> String {
        switch (revised, language) {
        case (false, .english): return "the result stands"
        case (false, .simplifiedChinese): return "维持原处理结果"
        case (false, .traditionalChinese): return "維持原處理結果"
        case (true, .english): return "your complaint will be handled again"
        case (true, .simplifiedChinese): return "您的投诉将重新处理"
        case (true, .traditionalChinese): return "您的投訴將重新處理"
        }
    }

    /// What fills a slot whose value the complaint lacks, such as a complainant who gave no name.
    public static func missing(_ placeholder: String, in language: ComplainantLanguage) -> String {
        switch (placeholder, language) {
        case ("name", .english): return "customer"
        case ("name", _): return "尊敬的客户"
        case ("compensation", .english): return "none"
        case ("compensation", .simplifiedChinese): return "无"
        case ("compensation", .traditionalChinese): return "無"
        case (_, .english): return "-"
        default: return "—"
        }
    }
}
