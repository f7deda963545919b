import ChiTraCore
import Foundation

/// A read-only view of UTF-8 bytes owned by someone else: a SQLite row being read, a
/// ``ByteArena``. Valid only while its owner keeps the bytes (the next row, the next reset).
///
/// The writers format payout lines from these views rather than from `String`s, so that the
/// export can hand them a row's bytes straight from SQLite: no `String`, no allocation per field.
struct ByteView {
    var base: UnsafePointer<UInt8>?
    var count: Int

    static var empty: ByteView { ByteView(base: nil, count: 0) }

    init(base: UnsafePointer<UInt8>?, count: Int) {
        self.base = count > 0 ? base : nil
        self.count = count > 0 ? count : 0
    }

    @inline(__always) var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
    @inline(__always) var isEmpty: Bool { count == 0 }
    @inline(__always) var first: UInt8? { count > 0 ? base![0] : nil }

    /// The text as a `String` (for error messages and the rare slow paths).
    var string: String { String(decoding: buffer, as: UTF8.self) }

    /// True when every byte is ASCII (< 0x80).
    var isASCII: Bool {
        guard let base else { return true }
        for i in 0..<count where base[i] >= 0x80 { return false }
        return true
    }

    /// True when some byte equals `byte`.
    @inline(__always) func contains(_ byte: UInt8) -> Bool {
        guard let base else { return false }
        for i in 0..<count where base[i] == byte { return true }
        return false
    }

    /// Byte-wise equality.
    static func == (a: ByteView, b: ByteView) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        return memcmp(a.base!, b.base!, a.count) == 0
    }
}

/// One payout line as byte views: the same values as ``PayoutLine``, in the form the streaming
/// writers read. Optional fields keep the difference between absent (nil) and empty.
struct PayoutLineBytes {
    var reference = ByteView.empty
    var beneficiaryCode = ByteView.empty
    var beneficiaryName = ByteView.empty
    var payeeName = ByteView.empty
    var payeeNameASCII = ByteView.empty
    var proxyRelation: ByteView?
    var personalIDMasked = ByteView.empty
    var channel: PayoutLine.Channel = .postCash
    var bankBIN: ByteView?
    var accountNo: ByteView?
    var amount: Int64 = 0
    var kind: PayoutLine.Kind = .allowance
    var forMonth = YearMonth(year: 2000, month: 1)!
    /// `forMonth.vietnamese` (`MM/YYYY`) and `forMonth.description` (`YYYY-MM`).
    var forMonthVietnamese = ByteView.empty
    var forMonthISO = ByteView.empty
    var commune = ByteView.empty
    var village = ByteView.empty
    var address = ByteView.empty
    var phone: ByteView?
    var remittance = ByteView.empty

    /// The reference as a `String`, for a ``PayoutWriteError/Place``.
    var referenceString: String { reference.string }
}

/// A growable byte buffer that hands out ``ByteView``s into itself. Views stay valid until the
/// next ``reset(minimumCapacity:)``; the capacity needed for a line is reserved first, so the
/// storage never moves while views of it are in use.
final class ByteArena {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int = 4_096) {
        self.capacity = max(capacity, 16)
        self.storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Forgets every view handed out and makes room for `minimumCapacity` bytes.
    func reset(minimumCapacity: Int) {
        count = 0
        if minimumCapacity > capacity {
            storage.deallocate()
            capacity = max(minimumCapacity, capacity * 2)
            storage = .allocate(capacity: capacity)
        }
    }

    /// Where the next byte will go: with the position after more appends, a view of all of them.
    var cursor: UnsafePointer<UInt8> { UnsafePointer(storage + count) }

    /// Copies bytes in; the caller reserved room for them with ``reset(minimumCapacity:)``.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> ByteView {
        precondition(count + bytes.count <= capacity, "ByteArena: reserve the room first")
        guard bytes.count > 0 else { return .empty }
        let start = storage + count
        start.update(from: bytes.baseAddress!, count: bytes.count)
        count += bytes.count
        return ByteView(base: UnsafePointer(start), count: bytes.count)
    }

    /// Forgets every view handed out and writes `n` (≥ 0) in decimal, as `String(n)` does.
    func decimal(_ n: Int64) -> ByteView {
        precondition(n >= 0)
        reset(minimumCapacity: 20)
        var v = n
        var i = 20
        repeat {
            i -= 1
            storage[i] = 0x30 + UInt8(v % 10)
            v /= 10
        } while v > 0
        count = 20
        return ByteView(base: UnsafePointer(storage + i), count: 20 - i)
    }

    func append(_ s: String) -> ByteView {
        var s = s
        return s.withUTF8 { append($0) }
    }

    func append(_ bytes: [UInt8]) -> ByteView {
        bytes.withUnsafeBufferPointer { append($0) }
    }
}

/// Turns ``PayoutLine``s (documents built in memory: tests, the sorted post-office lists) into
/// ``PayoutLineBytes`` held in one reused arena.
final class PayoutLineLoader {
    private let arena = ByteArena()
    private var months: [YearMonth: (vietnamese: String, iso: String)] = [:]

    /// The line's bytes, valid until the next call.
    func load(_ line: PayoutLine) -> PayoutLineBytes {
        let month: (vietnamese: String, iso: String)
        if let m = months[line.forMonth] { month = m } else {
            month = (line.forMonth.vietnamese, line.forMonth.description)
            months[line.forMonth] = month
        }
        var need = line.reference.utf8.count + line.beneficiaryCode.utf8.count + line.beneficiaryName.utf8.count
        need += line.payeeName.utf8.count + line.payeeNameASCII.utf8.count + (line.proxyRelation?.utf8.count ?? 0)
        need += line.personalIDMasked.utf8.count + (line.bankBIN?.utf8.count ?? 0) + (line.accountNo?.utf8.count ?? 0)
        need += month.vietnamese.utf8.count + month.iso.utf8.count + line.commune.utf8.count + line.village.utf8.count
        need += line.address.utf8.count + (line.phone?.utf8.count ?? 0) + line.remittance.utf8.count
        arena.reset(minimumCapacity: need)

        var b = PayoutLineBytes()
        b.reference = arena.append(line.reference)
        b.beneficiaryCode = arena.append(line.beneficiaryCode)
        b.beneficiaryName = arena.append(line.beneficiaryName)
        b.payeeName = arena.append(line.payeeName)
        b.payeeNameASCII = arena.append(line.payeeNameASCII)
        b.proxyRelation = line.proxyRelation.map { arena.append($0) }
        b.personalIDMasked = arena.append(line.personalIDMasked)
        b.channel = line.channel
        b.bankBIN = line.bankBIN.map { arena.append($0) }
        b.accountNo = line.accountNo.map { arena.append($0) }
        b.amount = line.amount
        b.kind = line.kind
        b.forMonth = line.forMonth
        b.forMonthVietnamese = arena.append(month.vietnamese)
        b.forMonthISO = arena.append(month.iso)
        b.commune = arena.append(line.commune)
        b.village = arena.append(line.village)
        b.address = arena.append(line.address)
        b.phone = line.phone.map { arena.append($0) }
        b.remittance = arena.append(line.remittance)
        return b
    }
}
