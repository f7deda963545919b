import ArgumentParser
import ChiTraCore
import ChiTraStore
import Foundation

/// `--user LOGIN` and `--password-stdin`: who is acting. Every command that changes money or
/// personal data, or shows personal data, takes them; the password comes from the terminal
/// without echo, or from the first line of standard input with `--password-stdin` (scripts).
struct LoginOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Your login (also CHITRA_USER). The password is asked on the terminal, without echo.", valueName: "LOGIN"))
    var user: String?

    @Flag(name: .long, help: "Read the password from the first line of standard input (for scripts; a command that sets a password reads the new one from the next line).")
    var passwordStdin = false

    /// Gone: a typed name proves nothing. Kept hidden to say so instead of "unknown option".
    @Option(name: .long, help: .hidden) var by: String?

    func validate() throws {
        if by != nil {
            throw ValidationError(Message("cli.option.by_removed").text())
        }
    }

    var login: String? {
        user ?? ProcessInfo.processInfo.environment["CHITRA_USER"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Checks the login and password against the store's accounts.
    func authenticate(_ db: AppDatabase, purpose: Message) throws -> AuthenticatedUser {
        guard let login else {
            throw CLIError(Message("cli.login.needed", ["purpose": .message(purpose)]))
        }
        let password = try PasswordInput.shared.read(prompt: "Password for \(Users.loginKey(login)): ", stdin: passwordStdin)
        return try Users(db: db).authenticate(login, password: password)
    }

    /// The actor for a command that needs `role`.
    func actor(_ db: AppDatabase, as role: Role) throws -> Actor {
        try authenticate(db, purpose: Message("cli.login.purpose_role", ["role": .text(role.rawValue), "role_vi": .text(role.vietnamese)])).acting(as: role)
    }

    /// The actor for a command any of `roles` may run.
    func actor(_ db: AppDatabase, asAnyOf roles: [Role]) throws -> Actor {
        try authenticate(db, purpose: Message("cli.login.purpose_roles", ["roles": .text(roles.map(\.rawValue).joined(separator: " / "))])).acting(asAnyOf: roles)
    }

    /// Any active account: for reports that show personal data.
    func reader(_ db: AppDatabase) throws -> Actor {
        let user = try authenticate(db, purpose: Message("cli.login.purpose_report"))
        return try user.acting(asAnyOf: Role.allCases)
    }
}

/// Reads passwords: from the terminal with echo off, or line by line from standard input.
/// Never echoes, logs or keeps them beyond the call.
final class PasswordInput: @unchecked Sendable {
    static let shared = PasswordInput()
    private var stdinLines: [String]?
    private var next = 0

    func read(prompt: String, stdin: Bool) throws -> String {
        if stdin {
            if stdinLines == nil {
                var lines: [String] = []
                while let line = readLine(strippingNewline: true) { lines.append(line.hasSuffix("\r") ? String(line.dropLast()) : line) }
                stdinLines = lines
            }
            guard let lines = stdinLines, next < lines.count else {
                throw CLIError(next == 0 ? Message("cli.password.stdin_empty") : Message("cli.password.stdin_no_more"))
            }
            next += 1
            return lines[next - 1]
        }
        return try Self.fromTerminal(prompt: prompt)
    }

    /// Prompts on /dev/tty with echo off.
    static func fromTerminal(prompt: String) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError(Message("cli.password.no_terminal"))
        }
        defer { close(fd) }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var saved = termios()
        let haveTerm = tcgetattr(fd, &saved) == 0
        if haveTerm {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if haveTerm { tcsetattr(fd, TCSAFLUSH, &saved) }
            _ = "\n".withCString { Glibc.write(fd, $0, 1) }
        }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while Glibc.read(fd, &c, 1) == 1, c != 0x0A {
            if c != 0x0D { bytes.append(c) }
            if bytes.count > 1024 { break }
        }
        defer { for i in bytes.indices { bytes[i] = 0 } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A new password: asked twice on a terminal; the next line of standard input otherwise.
    func readNew(for login: String, stdin: Bool) throws -> String {
        if stdin { return try read(prompt: "", stdin: true) }
        let first = try Self.fromTerminal(prompt: "New password for \(login): ")
        let again = try Self.fromTerminal(prompt: "The same password again: ")
        guard first == again else { throw CLIError(Message("cli.password.differ")) }
        return first
    }
}
