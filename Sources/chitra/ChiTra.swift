import ArgumentParser

@main
struct ChiTra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chitra",
        abstract: "Pay Vietnam's monthly social assistance without cash.",
        discussion: "Global options: --db PATH (or CHITRA_DB; default ./chitra.sqlite), --json, --formats DIR.",
        subcommands: [InitCommand.self, RollCommand.self, ExplainCommand.self, BatchCommand.self, KeysCommand.self, VerifyCommand.self,
                      FixturesCommand.self, GapsCommand.self, BeneficiaryCommand.self, ReturnsCommand.self, ExceptionsCommand.self,
                      SimulateCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self]
    )
}
