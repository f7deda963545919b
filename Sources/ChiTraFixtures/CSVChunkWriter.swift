import ChiTraCore
import Foundation

/// A piece of constant text, stored once in a `TextArena`.
struct Str: Sendable {
    let offset: Int32
    let count: Int32
}

/// All constant text of the generator as one contiguous block of UTF-8, so that writing a
/// name or a label is one `memcpy`. Strings are normalised to NFC when they are added.
final class TextArena {
    private var building: [UInt8] = []
    private(set) var base: UnsafeMutablePointer<UInt8>? = nil

    func add(_ s: String) -> Str {
        precondition(base == nil, "arena already frozen")
        let nfc = s.precomposedStringWithCanonicalMapping
        let off = building.count
        building.append(contentsOf: nfc.utf8)
        return Str(offset: Int32(off), count: Int32(building.count - off))
    }

    func freeze() {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, building.count))
        building.withUnsafeBufferPointer { b in
            if let a = b.baseAddress { p.update(from: a, count: b.count) }
        }
        base = p
        building = []
    }

    func string(_ s: Str) -> String {
        String(decoding: UnsafeBufferPointer(start: base! + Int(s.offset), count: Int(s.count)), as: UTF8.self)
    }

    deinit { base?.deallocate() }
}

/// Streams CSV bytes to a file in ~1 MiB chunks. Rows are built directly in the buffer;
/// `endField` quotes the field in place (RFC 4180) when it holds a comma, quote or line break.
final class CSVChunkWriter {
    static let chunk = 1 << 20
    /// Room beyond `chunk` for one row; no generated row comes near it.
    static let slack = 64 << 10

    private let handle: FileHandle
    private var arena: UnsafeMutablePointer<UInt8>
    let buf: UnsafeMutablePointer<UInt8>
    var n = 0
    private var fieldStart = 0
    private(set) var bytesWritten = 0

    init(handle: FileHandle) {
        self.handle = handle
        buf = .allocate(capacity: CSVChunkWriter.chunk + CSVChunkWriter.slack)
        arena = buf
    }

    /// Attaches the frozen arena that `text(_:)` copies from.
    func use(_ arena: TextArena) { self.arena = arena.base! }

    deinit { buf.deallocate() }

    /// Call before each row: flushes a full chunk.
    @inline(__always)
    func beginRow() throws {
        if n >= CSVChunkWriter.chunk { try flush() }
    }

    func flush() throws {
        guard n > 0 else { return }
        try handle.write(contentsOf: Data(bytesNoCopy: buf, count: n, deallocator: .none))
        bytesWritten += n
        n = 0
    }

    @inline(__always) func byte(_ b: UInt8) { buf[n] = b; n += 1 }

    @inline(__always)
    func text(_ s: Str) {
        let c = Int(s.count)
        (buf + n).update(from: arena + Int(s.offset), count: c)
        n += c
    }

    func ascii(_ s: StaticString) {
        let c = s.utf8CodeUnitCount
        (buf + n).update(from: s.utf8Start, count: c)
        n += c
    }

    func bytes(_ a: [UInt8]) {
        a.withUnsafeBufferPointer { b in
            if let p = b.baseAddress { (buf + n).update(from: p, count: b.count) }
        }
        n += a.count
    }

    /// `value` in decimal, left-padded with zeros to `width` digits (more digits if needed).
    @inline(__always)
    func digits(_ value: UInt64, width: Int) {
        var v = value
        var w = 1
        var t = v / 10
        while t > 0 { w += 1; t /= 10 }
        if width > w { w = width }
        var i = n + w - 1
        while i >= n { buf[i] = UInt8(truncatingIfNeeded: 48 &+ v % 10); v /= 10; i -= 1 }
        n += w
    }

    @inline(__always) func int(_ value: Int) { digits(UInt64(value), width: 1) }

    /// `DD/MM/YYYY`
    @inline(__always)
    func date(_ dayNumber: Int) {
        let c = CivilDays.civil(dayNumber)
        date(c.year, c.month, c.day)
    }

    @inline(__always)
    func date(_ y: Int, _ m: Int, _ d: Int) {
        digits(UInt64(d), width: 2); byte(0x2F)
        digits(UInt64(m), width: 2); byte(0x2F)
        digits(UInt64(y), width: 4)
    }

    /// `MM/YYYY` of a `YearMonth.index`.
    @inline(__always)
    func month(_ index: Int) {
        digits(UInt64(index % 12 + 1), width: 2); byte(0x2F)
        digits(UInt64(index / 12), width: 4)
    }

    @inline(__always) func comma() { byte(0x2C) }
    @inline(__always) func newline() { byte(0x0A) }

    @inline(__always) func beginField() { fieldStart = n }

    /// Quotes the field written since `beginField` if it needs it, doubling inner quotes.
    @inline(__always)
    func endField() {
        var quotes = 0
        var needs = false
        var i = fieldStart
        while i < n {
            let b = buf[i]
            if b == 0x22 { quotes += 1; needs = true } else if b == 0x2C || b == 0x0A || b == 0x0D { needs = true }
            i += 1
        }
        guard needs else { return }
        let newCount = (n - fieldStart) + quotes + 2
        var src = n - 1
        var dst = fieldStart + newCount - 1
        buf[dst] = 0x22; dst -= 1
        while src >= fieldStart {
            let b = buf[src]
            buf[dst] = b; dst -= 1
            if b == 0x22 { buf[dst] = 0x22; dst -= 1 }
            src -= 1
        }
        buf[dst] = 0x22
        n = fieldStart + newCount
    }
}
