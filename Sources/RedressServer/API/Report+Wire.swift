import RedressCore
import RedressStore

extension Components.Schemas.ComplaintReport {
    init(_ report: RedressStore.ComplaintReport) throws {
        let period = report.period
        let filter = report.filter
        self.init(
            period: .init(kind: try WireWord.convert(period.kind), from: period.from.description, to: period.to.description,
                          previousFrom: period.previousFrom.description, previousTo: period.previousTo.description),
            groupBy: try WireWord.convert(report.groupBy),
            filter: .init(branchId: filter.branchId.map(Wire.id), departmentId: filter.departmentId.map(Wire.id),
                          category: filter.category, channel: filter.channel, level: filter.level),
            totals: .init(report.totals), groups: report.groups.map(Components.Schemas.ReportRow.init),
            topCategories: report.topCategories.map { .init(code: $0.code, name: $0.name, received: $0.received, previous: $0.previous) },
            messages: try report.messages.map { .init(channel: try UnlistedValue.member($0.channel, "channel"), sent: $0.sent, delivered: $0.delivered, dead: $0.dead,
                                                  unsent: $0.unsent, pending: $0.pending, deliveryRate: $0.deliveryRate) },
            reviews: .init(requested: report.reviews.requested, upheld: report.reviews.upheld, revised: report.reviews.revised,
                           open: report.reviews.open, overdue: report.reviews.overdue, results: report.reviews.results,
                           rate: report.reviews.rate),
            rates: report.rates.map { .init(total: $0.total, key: $0.key, label: $0.label, received: $0.received, customers: $0.customers,
                                            per10000Customers: $0.per10000Customers, branchesWithoutBase: $0.branchesWithoutBase) })
    }
}

extension Components.Schemas.ComplaintExportRow {
    /// A row of a complaint export, as the JSON download writes it.
    init(_ row: RedressStore.ComplaintExportRow) throws {
        self.init(caseNumber: row.caseNumber, receivedAt: row.receivedAt, channel: row.channel, source: row.source,
                  customerType: row.customerType, category: row.category, level: row.level, nature: row.nature,
                  priority: row.priority, status: try UnlistedValue.member(row.status.rawValue, "status"),
                  department: row.department, responsibleUserId: row.responsibleUserId.map(Wire.id), dueAt: row.dueAt,
                  closedAt: row.closedAt, reopenCount: row.reopenCount, satisfaction: row.satisfaction)
    }
}

extension Components.Schemas.ReportRow {
    init(_ row: RedressStore.ComplaintReport.Row) {
        self.init(key: row.key, label: row.label, current: .init(row.current), previous: .init(row.previous), change: .init(row.change))
    }
}

extension Components.Schemas.ReportFigures {
    init(_ figures: RedressCore.ReportFigures) {
        func milestone(_ name: SLAMilestone) -> (due: Int, onTime: Int, rate: Double?) {
            let counted = figures.milestones[name.rawValue]
            return (counted?.due ?? 0, counted?.onTime ?? 0, counted?.rate)
        }
        let acknowledge = milestone(.acknowledge), initialReply = milestone(.initialReply)
        let preliminaryFeedback = milestone(.preliminaryFeedback), result = milestone(.result)
        self.init(
            received: figures.received, open: figures.open, resolved: figures.resolved, resolutionRate: figures.resolutionRate,
            invalid: figures.invalid, repeats: figures.repeats, repeatRate: figures.repeatRate, escalated: figures.escalated,
            escalationsByTier: .init(additionalProperties: figures.escalationsByTier),
            milestones: .init(
                acknowledge: .init(due: acknowledge.due, onTime: acknowledge.onTime, rate: acknowledge.rate),
                initialReply: .init(due: initialReply.due, onTime: initialReply.onTime, rate: initialReply.rate),
                preliminaryFeedback: .init(due: preliminaryFeedback.due, onTime: preliminaryFeedback.onTime,
                                           rate: preliminaryFeedback.rate),
                result: .init(due: result.due, onTime: result.onTime, rate: result.rate)),
            firstReplyMedianSeconds: figures.firstReplyMedianSeconds, firstReplyP90Seconds: figures.firstReplyP90Seconds,
            resolutionMedianSeconds: figures.resolutionMedianSeconds, resolutionP90Seconds: figures.resolutionP90Seconds,
            surveyed: figures.surveyed, satisfactionAverage: figures.satisfactionAverage, satisfied: figures.satisfied,
            basicallySatisfied: figures.basicallySatisfied, dissatisfied: figures.dissatisfied, satisfactionRate: figures.satisfactionRate)
    }
}

extension Components.Schemas.ReportChange {
    init(_ change: RedressCore.ReportChange) {
        self.init(received: change.received, receivedRelative: change.receivedRelative, resolved: change.resolved,
                  resolutionRate: change.resolutionRate, resultOnTimeRate: change.resultOnTimeRate,
                  satisfactionAverage: change.satisfactionAverage, repeatRate: change.repeatRate, escalated: change.escalated)
    }
}
