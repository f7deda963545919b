import ChiTraCore
import Foundation
import Testing

/// The message catalogue (`formats/messages/*.json`) against the code that names its keys.
@Suite struct MessageCatalogueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func catalogue() throws -> MessageCatalogue {
        try MessageCatalogue.load(from: root.appendingPathComponent("formats/messages"))
    }

    /// Every key named in `Sources/` as `Message("…"` or `MessageError("…"` (the only ways code names one).
    static func keysUsedInCode() throws -> [String: String] {
        var used: [String: String] = [:]
        let pattern = try NSRegularExpression(pattern: #"(?:Message|MessageError)\(\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)""#)
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let url as URL in files where url.pathExtension == "swift" {
            // Comments (a doc example) name no key.
            let text = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let key = String(text[Range(m.range(at: 1), in: text)!])
                used[key] = url.lastPathComponent
            }
        }
        return used
    }

    @Test func everyKeyTheCodeNamesIsInTheCatalogueInBothLanguages() throws {
        let catalogue = try Self.catalogue()
        let used = try Self.keysUsedInCode()
        #expect(!used.isEmpty)
        for (key, file) in used.sorted(by: { $0.key < $1.key }) {
            #expect(catalogue.entries[key] != nil, "\(key) (used in \(file)) is not in formats/messages")
        }
    }

    @Test func everyCatalogueKeyIsUsedAndBothLanguagesTakeTheSameValues() throws {
        let catalogue = try Self.catalogue()
        let used = try Self.keysUsedInCode()
        for (key, entry) in catalogue.entries.sorted(by: { $0.key < $1.key }) {
            #expect(used[key] != nil, "\(key) is in formats/messages but no code names it")
            #expect(Set(MessageCatalogue.placeholders(entry.vi)) == Set(MessageCatalogue.placeholders(entry.en)),
                    "\(key): the Vietnamese and English texts take different values")
            #expect(!entry.vi.isEmpty && !entry.en.isEmpty, "\(key) has an empty text")
        }
    }

    /// Vietnamese text that is really English (a sentence copied untranslated) or typed without
    /// diacritics reads wrong to a clerk: every Vietnamese text carries at least one letter with a
    /// diacritic, and none is identical to its English text.
    @Test func vietnameseTextsAreVietnamese() throws {
        let catalogue = try Self.catalogue()
        let marked = CharacterSet(charactersIn: "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
        for (key, entry) in catalogue.entries.sorted(by: { $0.key < $1.key }) {
            #expect(entry.vi.lowercased().unicodeScalars.contains(where: marked.contains), "\(key): the Vietnamese text has no diacritics: \(entry.vi)")
            #expect(entry.vi != entry.en, "\(key): the Vietnamese text is the English one")
        }
    }

    @Test func valuesAreWrittenAsEachLanguageWritesThem() {
        let catalogue = MessageCatalogue(entries: [
            "t.paid": .init(vi: "{who} đã nhận {amount} ở dòng {line}", en: "{who} received {amount} on line {line}"),
            "t.outer": .init(vi: "Lỗi: {inner}", en: "Error: {inner}"),
        ])
        let m = Message("t.paid", ["who": "Bà Lò Thị Xuân", "amount": .money(1_250_000), "line": .int(12_345)])
        #expect(catalogue.render(m, in: .vi) == "Bà Lò Thị Xuân đã nhận 1.250.000 đồng ở dòng 12.345")
        #expect(catalogue.render(m, in: .en) == "Bà Lò Thị Xuân received 1,250,000 VND on line 12,345")
        // Line numbers below 10,000 are not grouped ("dòng 2025", not "dòng 2.025").
        #expect(catalogue.render(Message("t.paid", ["who": "X", "amount": .money(750_000), "line": .int(2025)]), in: .vi) == "X đã nhận 750.000 đồng ở dòng 2025")
        // A message inside another is made in the same language; an unknown key still says what happened.
        let nested = Message("t.outer", ["inner": .message(Message("t.missing", ["file": "a.csv"]))])
        #expect(catalogue.render(nested, in: .en) == "Error: t.missing(file=a.csv)")
    }

    @Test func languageCodes() {
        #expect(Language(code: "vi") == .vi)
        #expect(Language(code: "EN") == .en)
        #expect(Language(code: "vi_VN.UTF-8") == .vi)
        #expect(Language(code: "fr") == nil)
    }
}
