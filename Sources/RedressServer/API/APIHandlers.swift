import RedressCore
import RedressStore

/// The operations of openapi.yaml that the generated ``APIProtocol`` serves, one extension per
/// area (`Category+Operations.swift`, …). Each reads the caller from ``AuthenticatedCaller``,
/// calls its store and maps the store's values to the generated types (`…+Wire.swift`).
struct APIHandlers: APIProtocol {
    let auth: AuthStore
    let users: UserStore
    let branches: BranchStore
    let departments: DepartmentStore
    let apiKeys: APIKeyStore
    let complaints: ComplaintStore
    let caseWork: CaseWorkStore
    let followUps: FollowUpStore
    let categories: CategoryStore
    let routingRules: RoutingRuleStore
    let sla: SLAConfigurationStore
    let pages: PageStore
    let webhooks: WebhookStore
    let audit: AuditStore
    let reports: ReportStore
    let workQueue: WorkQueueStore
    let messages: MessageStore
    let reviews: ReviewStore
    let rectifications: RectificationStore
    let library: LibraryStore
    let planPublications: PlanPublicationStore
    let customerBases: CustomerBaseStore
    let kpis: KPIStore
    let institutions: InstitutionStore
    /// The database the stores share, for the few operations that hand it to a store call.
    let database: ScopedDatabase
    /// Limits and policies from the server's configuration.
    let limits: Limits

    /// The per-client limits and policies operations apply beside their stores.
    struct Limits: Sendable {
        /// Sign-in attempts per client address.
        let signIns: RateLimiter
        /// Phone-number lookups per caller.
        let phoneSearches: RateLimiter
        /// Public progress lookups per client address.
        let publicLookups: RateLimiter
        /// Where webhooks may post.
        let webhookTargets: WebhookTargetPolicy
        /// The hosts a notification gateway may be at.
        let gatewayHosts: Set<String>
    }

    init(database: ScopedDatabase, limits: Limits) {
        auth = AuthStore(database: database)
        users = UserStore(database: database)
        branches = BranchStore(database: database)
        departments = DepartmentStore(database: database)
        apiKeys = APIKeyStore(database: database)
        complaints = ComplaintStore(database: database)
        caseWork = CaseWorkStore(database: database)
        followUps = FollowUpStore(database: database)
        categories = CategoryStore(database: database)
        routingRules = RoutingRuleStore(database: database)
        sla = SLAConfigurationStore(database: database)
        pages = PageStore(database: database)
        webhooks = WebhookStore(database: database)
        audit = AuditStore(pool: database.pool)
        reports = ReportStore(database: database)
        workQueue = WorkQueueStore(database: database)
        messages = MessageStore(database: database)
        reviews = ReviewStore(database: database)
        rectifications = RectificationStore(database: database)
        library = LibraryStore(database: database)
        planPublications = PlanPublicationStore(database: database)
        customerBases = CustomerBaseStore(database: database)
        kpis = KPIStore(database: database)
        institutions = InstitutionStore(database: database)
        self.database = database
        self.limits = limits
    }
}
