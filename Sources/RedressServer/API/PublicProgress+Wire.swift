import Foundation
import RedressCore
import RedressStore

extension Components.Schemas.PublicProgress {
    /// `progress` in plain words in `language`.
    init(_ progress: RedressStore.PublicProgress, in language: ComplainantLanguage) {
        self.init(
            caseNumber: progress.caseNumber, language: .init(rawValue: language.rawValue) ?? .zhHans,
            status: .init(rawValue: progress.status.rawValue) ?? .received,
            statusText: ProgressWords.status(progress.status, in: language),
            receivedAt: progress.receivedAt, level: progress.level, category: progress.category, product: progress.product,
            department: progress.department, promisedBy: progress.promisedBy, closedAt: progress.closedAt,
            reopened: progress.reopenCount,
            milestones: progress.milestones.compactMap { milestone in
                guard let kind = Components.Schemas.PublicMilestone.MilestonePayload(rawValue: milestone.milestone),
                      let name = ProgressWords.milestone(milestone.milestone, in: language) else { return nil }
                return .init(milestone: kind, name: name, dueAt: milestone.dueAt, metAt: milestone.metAt, met: milestone.metAt != nil)
            },
            timeline: progress.timeline.compactMap { entry in
                ProgressWords.event(entry.kind, level: entry.level, department: entry.department, outcome: entry.outcome, in: language)
                    .map { .init(at: entry.at, kind: entry.kind, text: $0) }
            })
    }
}
