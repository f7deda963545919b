import Foundation

/// The legacy Vietnamese encodings' tables, read from `formats/legacy-encodings.json`
/// (sources in `formats/legacy-encodings.md`): what each byte 0x80–0xFF stands for in TCVN3,
/// VNI Windows and Windows-1258, VNI's letter + mark pairs, and the Windows-1252 characters under
/// which bytes 0x80–0x9F show in Unicode text.
public struct LegacyEncodingTables: Sendable {
    /// Byte 0x80–0xFF (index byte − 0x80) → Unicode scalars; nil: not part of the encoding.
    public let tcvn3: [[Unicode.Scalar]?]
    public let vniSingle: [[Unicode.Scalar]?]
    public let cp1258: [[Unicode.Scalar]?]
    /// Every letter TCVN3 has a byte for (to tell the capitals it has from those it lacks).
    let tcvn3Scalars: Set<UInt32>
    /// VNI letter + mark: key `base << 8 | mark` → the letter.
    public let vniPairs: [UInt16: Unicode.Scalar]
    /// Bytes that start a VNI pair (a e o u y, ô ö, and capitals), for a quick test.
    let vniBases: [Bool]
    /// A character of Unicode text → the legacy byte it shows: U+0000–U+00FF themselves, and the
    /// Windows-1252 characters of 0x80–0x9F (`€` → 0x80 …).
    let lookAlikeByte: [UInt32: UInt8]
    /// Bytes 0x80–0x9F that Windows-1252 gives a character (so U+0080–U+009F is not how they show).
    let c1Shown: [Bool]

    public init(tcvn3: [UInt8: String], vniSingle: [UInt8: String], vniPairs: [(UInt8, UInt8, String)],
                cp1258: [UInt8: String], lookAlikes: [UInt8: String]) {
        func table(_ m: [UInt8: String]) -> [[Unicode.Scalar]?] {
            var t = [[Unicode.Scalar]?](repeating: nil, count: 128)
            for (b, s) in m where b >= 0x80 { t[Int(b) - 0x80] = Array(s.unicodeScalars) }
            return t
        }
        self.tcvn3Scalars = Set(tcvn3.values.flatMap { $0.unicodeScalars.map(\.value) })
        self.tcvn3 = table(tcvn3); self.vniSingle = table(vniSingle); self.cp1258 = table(cp1258)
        var pairs: [UInt16: Unicode.Scalar] = [:]
        var bases = [Bool](repeating: false, count: 256)
        for (base, mark, s) in vniPairs {
            guard let scalar = s.precomposedStringWithCanonicalMapping.unicodeScalars.first else { continue }
            pairs[UInt16(base) << 8 | UInt16(mark)] = scalar
            bases[Int(base)] = true
        }
        self.vniPairs = pairs; self.vniBases = bases
        var look: [UInt32: UInt8] = [:]
        for (b, s) in lookAlikes where (0x80...0x9F).contains(b) {
            if let scalar = s.unicodeScalars.first, s.unicodeScalars.count == 1 { look[scalar.value] = b }
        }
        self.lookAlikeByte = look
        var shown = [Bool](repeating: false, count: 32)
        for b in look.values { shown[Int(b) - 0x80] = true }
        self.c1Shown = shown
    }

    /// Reads `legacy-encodings.json`.
    public static func load(from url: URL) throws -> LegacyEncodingTables {
        struct Pair: Decodable { let base: String; let mark: String; let char: String }
        struct Table: Decodable { let bytes: [String: String]; let pairs: [Pair]? }
        struct File: Decodable { let tcvn3: Table; let vni: Table; let cp1258: Table; let lookAlikes: Table }
        let name = url.lastPathComponent
        func byte(_ hex: String) throws -> UInt8 {
            guard hex.count == 2, let b = UInt8(hex, radix: 16) else {
                throw TariffError(file: name, message: "\"\(hex)\" is not a byte in hexadecimal (two digits, 80–FF)")
            }
            return b
        }
        func bytes(_ t: Table) throws -> [UInt8: String] {
            var out: [UInt8: String] = [:]
            for (k, v) in t.bytes {
                let b = try byte(k)
                guard b >= 0x80, !v.isEmpty else {
                    throw TariffError(file: name, message: "byte \(k): only bytes 80–FF with a non-empty text belong in a table")
                }
                out[b] = v
            }
            return out
        }
        let f: File
        do {
            f = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch {
            throw TariffError(file: name, message: "cannot read the legacy encoding tables: \(error)")
        }
        let pairs = try (f.vni.pairs ?? []).map { (try byte($0.base), try byte($0.mark), $0.char) }
        return LegacyEncodingTables(tcvn3: try bytes(f.tcvn3), vniSingle: try bytes(f.vni), vniPairs: pairs,
                                    cp1258: try bytes(f.cp1258), lookAlikes: try bytes(f.lookAlikes))
    }

    /// The legacy byte a character of a cell stands for, or nil when no legacy byte shows as it
    /// (then the cell is Unicode text: `ă`, `ư`, `ạ`, a combining mark…).
    @inline(__always)
    func byte(of scalar: UInt32, source: SourceBytes) -> UInt8? {
        if scalar < 0x100 {
            // In Unicode text a byte 0x80–0x9F shows as its Windows-1252 character; a C1 control
            // there is the byte itself only when Windows-1252 leaves the byte undefined.
            if source == .unicode, scalar >= 0x80, scalar < 0xA0 {
                return c1Shown[Int(scalar) - 0x80] ? nil : UInt8(scalar)
            }
            return UInt8(scalar)
        }
        return source == .unicode ? lookAlikeByte[scalar] : nil
    }
}
