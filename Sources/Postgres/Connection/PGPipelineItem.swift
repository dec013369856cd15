/// One statement of a pipeline.
enum PGPipelineItem: Sendable {
    /// Fixed SQL text without parameters: a transaction's BEGIN, its settings, its COMMIT.
    case text(String)
    /// A statement with bound parameters, prepared (and cached) or not.
    case query(PGQuery, prepared: Bool)

    var sql: String {
        switch self {
        case .text(let sql): sql
        case .query(let query, _): query.sql
        }
    }
}
