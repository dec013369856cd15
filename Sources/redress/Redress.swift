import ArgumentParser

/// The `redress` command: the complaint-handling service and its administrative tasks.
@main
struct Redress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redress",
        abstract: "Complaint handling for companies with many branches.",
        subcommands: [ServeCommand.self, SchedulerCommand.self, MigrateCommand.self, DemoCommand.self, LocalDatabaseCommand.self, PersonalDataCommand.self, RetentionCommand.self,
                      AuditCommand.self, ProbeCommand.self, CitusCommand.self, BranchCommand.self, GrantCommand.self, WebhookCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
