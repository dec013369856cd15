import Foundation
import Postgres
import RedressCore

/// What happened in a report's period beside the complaints it received: the messages sent to
/// complainants, the reviews asked for and the results given. Each is read from the rows of the
/// period, found by instants through an index, over the cases the complaint figures count.
extension ReportStore {
    /// The caller's case branches, read once per statement (a sub-select becomes an init plan):
    /// called bare in a condition that cannot go to an index, a scope function parses its setting
    /// again for every row.
    static let caseBranches = "(SELECT scope.case_branch_ids())::uuid[]"
    /// The caller's own departments, read once per statement as ``caseBranches`` is.
    static let ownDepartments = "(SELECT scope.department_ids())::uuid[]"

    /// The `bounds` CTE: for each branch the report covers, its time zone, the period's local days
    /// (`first`, `last`) and instants to find the period's rows by with plain comparisons, which
    /// an index takes (under row-level security a condition holding a time zone conversion, not
    /// leakproof, cannot reach one, and a report would read every row its branches ever had):
    /// `low` and `high` 24 hours outside the local days, `inside_from` and `inside_to` 24 hours
    /// inside them (a clock moves by less than that, so a row between these needs no conversion;
    /// hours, not days, which the session's own time zone would lengthen or shorten).
    static func periodBounds(_ q: inout SQLBuilder, _ period: ReportPeriod, branches: [UUID]) -> String {
        let first = q.bind(period.from.description), last = q.bind(period.to.description)
        return """
            bounds AS MATERIALIZED (
                SELECT s.*, s.low + interval '48 hours' AS inside_from, s.high - interval '48 hours' AS inside_to
                  FROM (SELECT b.id, b.time_zone, \(first)::date AS first, \(last)::date AS last,
                               (\(first)::date::timestamp AT TIME ZONE b.time_zone) - interval '24 hours' AS low,
                               ((\(last)::date + 1)::timestamp AT TIME ZONE b.time_zone) + interval '24 hours' AS high
                          FROM branches b WHERE b.id = ANY (\(q.bind(branches))::uuid[])) s
            )
            """
    }

    /// The conditions keeping the rows of `alias` whose `time` falls in the period, joined to
    /// `bounds w` on their branch, and on the cases the complaint figures count: the whole case
    /// branch, else one's own departments' cases (not those merely collaborated on), in the
    /// filter's department when it names one.
    static func inPeriod(_ q: inout SQLBuilder, _ alias: String, time: String, filter: ReportFilter) -> String {
        let department = q.bind(filter.departmentId)
        return """
            \(alias).branch_id = w.id AND \(alias).\(time) >= w.low AND \(alias).\(time) < w.high
                AND (\(alias).branch_id = ANY (\(caseBranches)) OR \(alias).case_department_id = ANY (\(ownDepartments)))
                AND (\(department)::uuid IS NULL OR \(alias).case_department_id = \(department))
                AND (\(alias).\(time) >= w.inside_from AND \(alias).\(time) < w.inside_to
                     OR (\(alias).\(time) AT TIME ZONE w.time_zone)::date BETWEEN w.first AND w.last)
            """
    }

    /// The period's reviews and results, counted over the same cases as ``messages``.
    static func reviews(_ caller: Caller, period: ReportPeriod, filter: ReportFilter,
                        _ connection: PGConnection) async throws -> ComplaintReport.ReviewFigures {
        var q = SQLBuilder("")
        let bounds = periodBounds(&q, period, branches: branches(caller, filter))
        let asked = inPeriod(&q, "r", time: "requested_at", filter: filter), given = inPeriod(&q, "e", time: "at", filter: filter)
        q.append("""
            WITH \(bounds), asked AS (
                SELECT r.status, r.due_at FROM bounds w JOIN complaint_reviews r ON \(asked)
            ), results AS (
                -- The distinct pairs of plain columns, not `count(DISTINCT (…))`, whose row values compare
                -- field by field through their types' functions: ten times slower over a month of results.
                SELECT count(*) AS given FROM (
                    SELECT DISTINCT e.branch_id, e.complaint_id
                      FROM bounds w JOIN complaint_events e ON \(given)
                       AND e.kind IN ('feed_back_result', 'resolve_on_the_spot', 'mark_invalid')
                ) given
            )
            SELECT count(*)::integer, (count(*) FILTER (WHERE status = 'upheld'))::integer,
                   (count(*) FILTER (WHERE status = 'revised'))::integer, (count(*) FILTER (WHERE status = 'requested'))::integer,
                   (count(*) FILTER (WHERE status = 'requested' AND due_at < now()))::integer, (SELECT given::integer FROM results)
              FROM asked
            """)
        let row = try await connection.query(q.query)[0]
        return ComplaintReport.ReviewFigures(requested: try row.decode(at: 0), upheld: try row.decode(at: 1), revised: try row.decode(at: 2),
                                             open: try row.decode(at: 3), overdue: try row.decode(at: 4), results: try row.decode(at: 5))
    }

    /// The period's messages to complainants per channel, in the caller's branches (one when the
    /// filter names it) and department when the filter names one, over the cases the complaint
    /// figures count; days in each branch's time zone.
    static func messages(_ caller: Caller, period: ReportPeriod, filter: ReportFilter,
                         _ connection: PGConnection) async throws -> [ComplaintReport.MessageDelivery] {
        var q = SQLBuilder("")
        let bounds = periodBounds(&q, period, branches: branches(caller, filter))
        let written = inPeriod(&q, "m", time: "created_at", filter: filter)
        q.append("""
            WITH \(bounds)
            SELECT m.channel, count(*)::integer, count(*) FILTER (WHERE m.state = 'delivered')::integer,
                   count(*) FILTER (WHERE m.state = 'dead')::integer, count(*) FILTER (WHERE m.state = 'unsent')::integer,
                   count(*) FILTER (WHERE m.state = 'pending')::integer
              FROM bounds w JOIN complainant_messages m ON \(written)
             GROUP BY m.channel ORDER BY m.channel
            """)
        return try await connection.query(q.query).map(delivery)
    }

    /// One channel's messages from a row of channel, sent, delivered, dead, unsent and pending.
    static func delivery(_ row: PGRow) throws -> ComplaintReport.MessageDelivery {
        ComplaintReport.MessageDelivery(channel: try row.decode(at: 0), sent: try row.decode(at: 1), delivered: try row.decode(at: 2),
                                        dead: try row.decode(at: 3), unsent: try row.decode(at: 4), pending: try row.decode(at: 5))
    }
}
