import Foundation

/// Whether a word is a Vietnamese syllable: an optional initial consonant, a vowel nucleus of the
/// language, an optional final consonant and at most one tone mark, on a vowel that can carry it.
/// Used to tell which reading of legacy bytes gives Vietnamese text (`LegacyTextDetector`).
///
/// Works on Unicode scalars (NFC or decomposed: a combining tone mark after a vowel counts as its
/// tone), so that weighing thousands of words needs no normalisation.
enum VietnameseSpelling {
    /// A letter: `code` is the lower-case ASCII letter, or for the letters with a diacritic
    /// A ă, B â, E ê, O ô, P ơ, W ư, D đ; `tone` 0 none, 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng.
    struct Letter { var code: UInt8; var tone: UInt8; var upper: Bool }

    /// The verdict on one word.
    enum Verdict: Int { case foreign = 0, lettersOnly = 1, syllable = 2 }

    /// Every non-ASCII Vietnamese letter (precomposed), with its code and tone.
    static let letters: [UInt32: Letter] = {
        var out: [UInt32: Letter] = [0x0111: Letter(code: UInt8(ascii: "D"), tone: 0, upper: false),
                                     0x0110: Letter(code: UInt8(ascii: "D"), tone: 0, upper: true)]
        var candidates: [UInt32] = Array(0xC0...0x1B0)
        candidates += Array(UInt32(0x1EA0)...UInt32(0x1EF9))
        for v in candidates {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let parts = Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
            guard let base = parts.first, base.isASCII else { continue }
            var letter = Letter(code: UInt8(base.value) | 0x20, tone: 0, upper: base.properties.isUppercase)
            var ok = "aeiouy".unicodeScalars.contains(Unicode.Scalar(letter.code))
            for mark in parts.dropFirst() where ok {
                if let t = toneOf(mark.value) { ok = letter.tone == 0; letter.tone = t }
                else if let c = modified(letter.code, by: mark.value) { letter.code = c }
                else { ok = false }
            }
            if ok && parts.count > 1 { out[v] = letter }
        }
        return out
    }()

    @inline(__always) static func toneOf(_ mark: UInt32) -> UInt8? {
        switch mark {
        case 0x0301: return 1
        case 0x0300: return 2
        case 0x0309: return 3
        case 0x0303: return 4
        case 0x0323: return 5
        default: return nil
        }
    }

    /// a + breve → ă, a/e/o + circumflex → â ê ô, o/u + horn → ơ ư.
    @inline(__always) static func modified(_ code: UInt8, by mark: UInt32) -> UInt8? {
        switch (code, mark) {
        case (UInt8(ascii: "a"), 0x0306): return UInt8(ascii: "A")
        case (UInt8(ascii: "a"), 0x0302): return UInt8(ascii: "B")
        case (UInt8(ascii: "e"), 0x0302): return UInt8(ascii: "E")
        case (UInt8(ascii: "o"), 0x0302): return UInt8(ascii: "O")
        case (UInt8(ascii: "o"), 0x031B): return UInt8(ascii: "P")
        case (UInt8(ascii: "u"), 0x031B): return UInt8(ascii: "W")
        default: return nil
        }
    }

    @inline(__always) static func isVowel(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a"), UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "e"), UInt8(ascii: "E"),
             UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "P"), UInt8(ascii: "u"),
             UInt8(ascii: "W"), UInt8(ascii: "y"): return true
        default: return false
        }
    }

    /// The word's letters, or nil when it holds anything else (a symbol, a letter of another
    /// language, a combining mark on a consonant or a second mark of the same kind).
    static func parse(_ word: [UInt32]) -> [Letter]? {
        var out: [Letter] = []
        out.reserveCapacity(word.count)
        for v in word {
            if v < 0x80 {
                switch v {
                case 0x61...0x7A: out.append(Letter(code: UInt8(v), tone: 0, upper: false))
                case 0x41...0x5A: out.append(Letter(code: UInt8(v) | 0x20, tone: 0, upper: true))
                default: return nil
                }
            } else if let t = toneOf(v) {
                guard let last = out.last, isVowel(last.code), last.tone == 0 else { return nil }
                out[out.count - 1].tone = t
            } else if v == 0x0302 || v == 0x0306 || v == 0x031B {
                guard let last = out.last, let c = modified(last.code, by: v) else { return nil }
                out[out.count - 1].code = c
            } else if let letter = letters[v] {
                out.append(letter)
            } else {
                return nil
            }
        }
        return out
    }

    /// The verdict on a word given as Unicode scalars.
    static func verdict(_ word: [UInt32]) -> Verdict {
        guard let letters = parse(word), !letters.isEmpty else { return .foreign }
        // Case: lower case, a capital first, or all capitals ("NguyÔn" is none of them).
        var uppers = 0
        for l in letters where l.upper { uppers += 1 }
        guard uppers == 0 || uppers == letters.count || (uppers == 1 && letters[0].upper) else { return .foreign }
        return isSyllable(letters) ? .syllable : .lettersOnly
    }

    // MARK: - Syllable structure

    struct Nucleus { let open: [UInt8]?; let closed: [UInt8]? }

    /// Vowel nuclei (with their glides) and where the tone may go: positions when the syllable
    /// ends on the nucleus (`open`) and when a final consonant follows (`closed`); nil: not allowed.
    /// Both the older and the newer tone placement are accepted (hòa / hoà, thúy / thuý).
    static let nuclei: [[UInt8]: Nucleus] = {
        let table: [(String, [UInt8]?, [UInt8]?)] = [
            ("a", [0], [0]), ("A", nil, [0]), ("B", nil, [0]), ("e", [0], [0]), ("E", [0], [0]),
            ("i", [0], [0]), ("o", [0], [0]), ("O", [0], [0]), ("P", [0], [0]), ("u", [0], [0]),
            ("W", [0], [0]), ("y", [0], nil),
            ("ai", [0], nil), ("ao", [0], nil), ("au", [0], nil), ("ay", [0], nil), ("Bu", [0], nil),
            ("By", [0], nil), ("eo", [0], nil), ("Eu", [0], nil), ("ia", [0], nil), ("iu", [0], nil),
            ("iE", nil, [1]), ("yE", nil, [1]), ("iEu", [1], nil), ("yEu", [1], nil),
            ("oa", [0, 1], [1]), ("oA", nil, [1]), ("oe", [0, 1], [1]), ("oai", [1], nil), ("oay", [1], nil),
            ("oeo", [1], nil), ("oi", [0], nil), ("Oi", [0], nil), ("Pi", [0], nil), ("oo", nil, [1]),
            ("ua", [0], nil), ("uB", nil, [1]), ("uBy", [1], nil), ("uE", [1], [1]), ("ui", [0], nil),
            ("uO", nil, [1]), ("uOi", [1], nil), ("uP", [1], nil), ("uy", [0, 1], [1]), ("uya", [1], nil),
            ("uyu", [1], nil), ("uyE", nil, [2]), ("Wa", [0], nil), ("Wi", [0], nil), ("Wu", [0], nil),
            ("WP", nil, [1]), ("WPi", [1], nil), ("WPu", [1], nil),
        ]
        var out: [[UInt8]: Nucleus] = [:]
        for (k, o, c) in table { out[Array(k.utf8)] = Nucleus(open: o, closed: c) }
        return out
    }()

    static let initials: [[UInt8]] = ["ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
                                      "b", "c", "d", "D", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""]
        .map { Array($0.utf8) }
    static let finals: Set<[UInt8]> = Set(["c", "ch", "m", "n", "ng", "nh", "p", "t"].map { Array($0.utf8) })
    /// Nuclei before which `ch` and `nh` may end a syllable (anh, ếch, inh, oanh, huênh, huỳnh, quýnh).
    static let palatalNuclei: Set<[UInt8]> = Set(["a", "E", "i", "oa", "uE", "uy", "y"].map { Array($0.utf8) })

    static func isSyllable(_ letters: [Letter]) -> Bool {
        var toned = -1
        for (i, l) in letters.enumerated() where l.tone != 0 {
            if toned >= 0 { return false }
            toned = i
        }
        let codes = letters.map(\.code)
        let tone = toned >= 0 ? letters[toned].tone : 0
        for initial in initials where codes.count > initial.count && codes.starts(with: initial) {
            let rest = codes[initial.count...]
            guard let first = rest.first, isVowel(first) else { continue }
            let front = first == UInt8(ascii: "i") || first == UInt8(ascii: "e") || first == UInt8(ascii: "E") || first == UInt8(ascii: "y")
            switch String(decoding: initial, as: UTF8.self) {
            case "k", "gh", "ngh": if !front { continue }
            case "c", "ng": if front { continue }
            case "g": if first == UInt8(ascii: "e") || first == UInt8(ascii: "E") { continue }
            case "qu": if first == UInt8(ascii: "u") || first == UInt8(ascii: "o") { continue }
            default: break
            }
            if toned >= 0 && toned < initial.count { continue }
            if rhymeIsValid(Array(rest), tonePosition: toned >= 0 ? toned - initial.count : -1, tone: tone,
                            afterQu: initial == Array("qu".utf8)) {
                return true
            }
        }
        return false
    }

    static func rhymeIsValid(_ rest: [UInt8], tonePosition: Int, tone: UInt8, afterQu: Bool) -> Bool {
        var n = 0
        while n < rest.count && isVowel(rest[n]) { n += 1 }
        let nucleusCodes = Array(rest[..<n])
        let final = Array(rest[n...])
        guard let nucleus = nuclei[nucleusCodes] else { return false }
        let positions: [UInt8]?
        if final.isEmpty {
            positions = nucleus.open
        } else {
            guard finals.contains(final) else { return false }
            // y takes a final only after qu (quýt, quỳnh).
            positions = nucleusCodes == [UInt8(ascii: "y")] ? (afterQu ? [0] : nil) : nucleus.closed
            if final == Array("ch".utf8) || final == Array("nh".utf8) {
                guard palatalNuclei.contains(nucleusCodes) else { return false }
            }
            // A syllable ending in c, ch, p or t carries sắc or nặng.
            let stop = final.first == UInt8(ascii: "c") || final == Array("p".utf8) || final == Array("t".utf8)
            if stop && tone != 1 && tone != 5 { return false }
        }
        guard let allowed = positions else { return false }
        return tonePosition < 0 || allowed.contains(UInt8(tonePosition))
    }
}
