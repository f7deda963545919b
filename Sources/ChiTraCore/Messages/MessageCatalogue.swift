import Foundation

/// Every sentence ChiTra shows a clerk or officer, in Vietnamese and English:
/// `formats/messages/*.json` (one file per area, one key space; `formats/messages/README.md`).
///
/// Each file is an object `{ "area.key": { "vi": "…{name}…", "en": "…{name}…" } }`. The catalogue
/// is read once, from the formats folder (`FormatsDirectory.locate()`), the first time a message is
/// shown. A key missing from it — a catalogue older than the program — shows as the key and its
/// values (`roll.file.empty(file=roll.csv)`) rather than failing: the person still learns what
/// happened, and a test (`MessageCatalogueTests`) keeps every key used in the code present in both
/// languages with the same placeholders.
public final class MessageCatalogue: Sendable {
    public struct Entry: Sendable, Codable, Equatable {
        public let vi: String
        public let en: String
        public init(vi: String, en: String) { self.vi = vi; self.en = en }
        public func template(_ language: Language) -> String { language == .vi ? vi : en }
    }

    public let entries: [String: Entry]
    /// Why the catalogue could not be read (shown once with the first fallback text), or nil.
    public let loadProblem: String?

    public init(entries: [String: Entry], loadProblem: String? = nil) {
        self.entries = entries; self.loadProblem = loadProblem
    }

    /// The catalogue of the formats folder found by `FormatsDirectory.locate()`.
    public static let shared: MessageCatalogue = {
        do {
            return try load(from: FormatsDirectory.locate().appendingPathComponent("messages"))
        } catch {
            return MessageCatalogue(entries: [:], loadProblem: "\(error)")
        }
    }()

    /// Reads every `*.json` file of `folder`; a key defined in two files is an error.
    public static func load(from folder: URL) throws -> MessageCatalogue {
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var all: [String: Entry] = [:]
        var origin: [String: String] = [:]
        for file in files {
            let entries: [String: Entry]
            do {
                entries = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: file))
            } catch {
                throw TariffError(file: "messages/" + file.lastPathComponent, message: "cannot read the message catalogue: \(error)")
            }
            for (key, entry) in entries {
                if let other = origin[key] {
                    throw TariffError(file: "messages/" + file.lastPathComponent, message: "message \(key) is also defined in \(other)")
                }
                origin[key] = file.lastPathComponent
                all[key] = entry
            }
        }
        return MessageCatalogue(entries: all)
    }

    /// The placeholders of a template, in order of appearance (`{file}` → `file`).
    public static func placeholders(_ template: String) -> [String] {
        var out: [String] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            out.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    public func render(_ message: Message, in language: Language) -> String {
        guard let entry = entries[message.key] else {
            let values = message.args.keys.sorted().map { "\($0)=\(message.args[$0]!.rendered(in: language))" }
            return message.key + (values.isEmpty ? "" : "(" + values.joined(separator: ", ") + ")")
        }
        let template = entry.template(language)
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { out += rest[open...]; rest = ""; break }
            let name = String(rest[rest.index(after: open)..<close])
            if let value = message.args[name] {
                out += value.rendered(in: language)
            } else {
                out += "{" + name + "}"
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }
}
