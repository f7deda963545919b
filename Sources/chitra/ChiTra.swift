import ArgumentParser

@main
struct ChiTra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chitra",
        abstract: "Pay Vietnam's monthly social assistance without cash.",
        subcommands: []
    )
}
