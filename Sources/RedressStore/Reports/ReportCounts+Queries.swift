import Foundation
import Postgres
import RedressCore

extension ReportCountsRead {
    /// The level-0 counts of `branches` from month `first` to month `last`, folded and pending:
    /// branch, month, measure, bucket, complaints.
    static func counts(branches: [UUID], first: String, last: String) -> PGQuery {
        """
        SELECT r.branch_id, to_char(r.month, 'YYYY-MM-DD'), r.measure, r.bucket, r.complaints
          FROM report_counts r
         WHERE r.branch_id = ANY (\(branches)::uuid[]) AND r.month BETWEEN \(first)::date AND \(last)::date AND r.detail = 0
        UNION ALL
        SELECT p.branch_id, to_char(p.month, 'YYYY-MM-DD'), p.measure, p.bucket, p.complaints
          FROM reports.pending_counts(\(branches)::uuid[], 0::smallint) p
         WHERE p.month BETWEEN \(first)::date AND \(last)::date
        """
    }

    /// The messages to complainants of `branches` written from month `first` to month `last`, per
    /// channel, folded and pending (`sql/0081_…`), as ``ReportStore/messages`` counts them from
    /// the messages themselves: channel, sent, delivered, dead, unsent, pending.
    static func messages(branches: [UUID], first: String, last: String) -> PGQuery {
        """
        SELECT s.channel, sum(s.messages)::integer,
               coalesce(sum(s.messages) FILTER (WHERE s.state = 'delivered'), 0)::integer,
               coalesce(sum(s.messages) FILTER (WHERE s.state = 'dead'), 0)::integer,
               coalesce(sum(s.messages) FILTER (WHERE s.state = 'unsent'), 0)::integer,
               coalesce(sum(s.messages) FILTER (WHERE s.state = 'pending'), 0)::integer
          FROM (SELECT m.channel, m.state, m.messages
                  FROM message_counts m
                 WHERE m.branch_id = ANY (\(branches)::uuid[]) AND m.month BETWEEN \(first)::date AND \(last)::date
                UNION ALL
                SELECT c.channel, c.state, c.sign::bigint
                  FROM message_count_changes c JOIN branches b ON b.id = c.branch_id
                 WHERE c.branch_id = ANY (\(branches)::uuid[])
                   AND date_trunc('month', c.created_at AT TIME ZONE b.time_zone)::date BETWEEN \(first)::date AND \(last)::date) s
         GROUP BY s.channel HAVING sum(s.messages) <> 0 ORDER BY s.channel
        """
    }

    /// The counts one level down (`detail`) inside each wanted bucket, folded and pending (the
    /// pending ones of every bucket of `branches`: the caller keeps the wanted). The buckets'
    /// bounds are given, not computed in the join: under row-level security only leakproof
    /// conditions (comparisons, not arithmetic that can overflow) reach the index.
    ///
    /// Each wanted bucket is looked up in the index on its own (`OFFSET 0` keeps the planner from
    /// merging the lookup into a join). Left to itself, the planner misjudges the policy's
    /// `branch_id = ANY (…)` and hashes every count of the branches at that level, of every month:
    /// 31,000 rows for 60 wanted buckets in 20 branches with 2,000 complaints each, three times
    /// slower, and more so as months and complaints accumulate.
    static func children(of wanted: [Wanted], detail: Int, branches: [UUID]) -> PGQuery {
        """
        SELECT r.branch_id, to_char(r.month, 'YYYY-MM-DD'), r.measure, r.bucket, r.complaints
          FROM unnest(\(wanted.map(\.cell.branch))::uuid[], \(wanted.map(\.cell.month))::date[], \(wanted.map(\.measure))::text[],
                      \(wanted.map { Int(MinuteHistogram.children(of: $0.parent).lowerBound) })::int8[],
                      \(wanted.map { Int(MinuteHistogram.children(of: $0.parent).upperBound) })::int8[])
               AS w (branch_id, month, measure, first, last)
         CROSS JOIN LATERAL (
               SELECT c.branch_id, c.month, c.measure, c.bucket, c.complaints FROM report_counts c
                WHERE c.branch_id = w.branch_id AND c.month = w.month AND c.detail = \(Int16(detail))
                  AND c.measure = w.measure AND c.bucket BETWEEN w.first AND w.last
               OFFSET 0) r
        UNION ALL
        SELECT p.branch_id, to_char(p.month, 'YYYY-MM-DD'), p.measure, p.bucket, p.complaints
          FROM reports.pending_counts(\(branches)::uuid[], \(Int16(detail))) p
        """
    }

    /// Per branch and month of receipt, the complaints whose deadline of each milestone is unmet
    /// and still ahead: counted among the unmet, but not yet due. Found by
    /// `complaints_unmet_deadline_ahead`, whose expression this repeats (under row-level security
    /// only a condition whose functions are leakproof, or read no column, reaches an index).
    static func unmetAhead(branches: [UUID]) -> PGQuery {
        """
        SELECT c.branch_id, to_char(date_trunc('month', c.received_at AT TIME ZONE b.time_zone), 'YYYY-MM-DD'),
               count(*) FILTER (WHERE c.acknowledge_met_at IS NULL AND c.acknowledge_deadline >= now())::integer,
               count(*) FILTER (WHERE c.initial_reply_met_at IS NULL AND c.initial_reply_deadline >= now())::integer,
               count(*) FILTER (WHERE c.preliminary_feedback_met_at IS NULL AND c.preliminary_feedback_deadline >= now())::integer,
               count(*) FILTER (WHERE c.result_met_at IS NULL AND c.result_deadline >= now())::integer
          FROM complaints c
          JOIN branches b ON b.id = c.branch_id
         WHERE c.branch_id = ANY (\(branches)::uuid[])
           AND greatest(CASE WHEN c.acknowledge_met_at IS NULL THEN c.acknowledge_deadline END,
                        CASE WHEN c.initial_reply_met_at IS NULL THEN c.initial_reply_deadline END,
                        CASE WHEN c.preliminary_feedback_met_at IS NULL THEN c.preliminary_feedback_deadline END,
                        CASE WHEN c.result_met_at IS NULL THEN c.result_deadline END) >= now()
         GROUP BY 1, 2
        """
    }
}
