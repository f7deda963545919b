import ArgumentParser

@main
struct ChiTra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chitra",
        abstract: "Pay Vietnam's monthly social assistance without cash.",
        discussion: """
        Global options: --db PATH (or CHITRA_DB; default ./chitra.sqlite), --json, --formats DIR.
        Commands that change money or personal data, or show personal data, run as an account: --user LOGIN
        (or CHITRA_USER), the password asked on the terminal or read with --password-stdin (README: roles).
        """,
        subcommands: [InitCommand.self, UserCommand.self, ServeCommand.self, RollCommand.self, ExplainCommand.self, BatchCommand.self, KeysCommand.self, VerifyCommand.self,
                      FixturesCommand.self, GapsCommand.self, BeneficiaryCommand.self, FuneralCommand.self, ReturnsCommand.self, ExceptionsCommand.self,
                      SimulateCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self, ReportCommand.self]
    )
}
