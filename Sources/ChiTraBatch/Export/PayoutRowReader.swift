import ChiTraCore
import ChiTraStore
import Foundation
import GRDB

/// Reads one group's payout lines from the store's ``PayoutLineCursor`` into ``PayoutLineBytes``:
/// the hot loop of the export. Text is read as the row's own bytes, without a `String` per
/// column, and only the values the group's format uses are made.
///
/// The values are exactly those ``BatchExporter/payoutLine(_:)`` makes from the same row. Where
/// bytes alone cannot promise that (a NULL where text is expected, a NUL byte or invalid UTF-8,
/// which GRDB's `String` decoding would cut or repair, an unknown month), ``decode()`` returns
/// nil and the export writes that group through ``BatchExporter/payoutLine(_:)`` instead.
final class PayoutRowReader {
    /// What a format reads of a line, so that only that is read and made.
    struct Needs {
        /// `payeeNameASCII` (the bank form of the account name, else of the payee's name).
        var payeeNameASCII = false
        /// `remittance` / `remittanceASCII`.
        var remittance = false
        /// `personalIDMasked`.
        var personalID = false
        /// A field of the beneficiary (name, personal ID, commune, village, address, phone): join.
        var beneficiary = false

        init(fields: [PayoutField]) {
            for field in fields {
                switch field {
                case .payeeNameASCII: payeeNameASCII = true
                case .remittance, .remittanceASCII: remittance = true
                case .personalIDMasked: personalID = true; beneficiary = true
                case .beneficiaryName, .commune, .village, .address, .phone: beneficiary = true
                default: break
                }
            }
        }
    }

    private typealias Column = PayoutLineCursor.Column

    let needs: Needs
    private let cursor: PayoutLineCursor
    /// Holds the values made for the current line (bank-form name, remittance text).
    private let arena = ByteArena()
    private var months = MonthCache()

    /// `needs.beneficiary` joins the beneficiary table; without it the query reads `payout_line`
    /// alone (every line has its beneficiary: a foreign key the store enforces, and nothing
    /// deletes a beneficiary).
    init(_ db: Database, needs: Needs) throws {
        self.needs = needs
        cursor = try PayoutLineCursor(db, withBeneficiary: needs.beneficiary)
    }

    /// Starts on the group's lines in the export's order (by reference).
    func start(batchID: Int64, groupKey: String) throws {
        try cursor.start(batchID: batchID, groupKey: groupKey)
    }

    /// Moves to the next line (false: none left); read it with ``decode()``.
    func next() throws -> Bool {
        try cursor.next()
    }

    /// The current row as bytes (valid until the next row), or nil if it is not plain enough for
    /// bytes to give what `payoutLine(_:)` gives.
    func decode() -> PayoutLineBytes? {
        var line = PayoutLineBytes()
        guard let reference = text(Column.reference), let code = text(Column.beneficiaryCode),
              let channel = text(Column.channel), let kind = text(Column.kind), let month = text(Column.forMonth),
              let payee = text(Column.payeeName), let slot = text(Column.slot),
              cursor.isInteger(.amount)
        else { return nil }
        guard let bankBIN = optionalText(Column.bankBIN), let accountNo = optionalText(Column.accountNo),
              let accountName = optionalText(Column.accountName), let relation = optionalText(Column.payeeRelation)
        else { return nil }
        line.reference = reference
        line.beneficiaryCode = code
        line.payeeName = payee
        line.proxyRelation = relation
        line.bankBIN = bankBIN
        line.accountNo = accountNo
        line.amount = cursor.int64(.amount)
        line.channel = Self.channel(channel)
        let entitlement = Self.kind(kind)
        line.kind = PayoutLine.Kind(entitlement)
        guard let m = months.month(month) else { return nil }
        line.forMonth = m.month
        line.forMonthVietnamese = m.vietnamese
        line.forMonthISO = m.iso

        if needs.beneficiary {
            guard let name = text(Column.fullName), let personalID = text(Column.personalID), let commune = text(Column.commune),
                  let village = text(Column.village), let address = text(Column.address), let phone = text(Column.phone)
            else { return nil }
            line.beneficiaryName = name
            line.commune = commune
            line.village = village
            line.address = address
            line.phone = phone.isEmpty ? nil : phone
            line.personalIDMasked = personalID   // replaced by its masked form below
        }

        // Values made from several columns go into the arena, sized first so it does not move.
        var bankFormSlow: String?
        var maskedID: String?
        let nameSource = accountName ?? payee
        if needs.payeeNameASCII, !Self.isAlreadyBankForm(nameSource) {
            bankFormSlow = VietnameseText.bankForm(nameSource.string)
        }
        if needs.personalID { maskedID = PersonalID.masked(line.personalIDMasked.string) }
        let kindText = RemittanceText.label(kind: entitlement, slot: entitlement == .carryOver ? Self.kind(slot) : entitlement)
        var room = (bankFormSlow?.utf8.count ?? 0) + (maskedID?.utf8.count ?? 0)
        if needs.remittance { room += kindText.utf8.count + 2 + m.vietnamese.count + code.count }
        arena.reset(minimumCapacity: room)
        if needs.payeeNameASCII { line.payeeNameASCII = bankFormSlow.map { arena.append($0) } ?? nameSource }
        if let maskedID { line.personalIDMasked = arena.append(maskedID) }
        if needs.remittance {
            // RemittanceText.make(kind:slot:forMonth:code:), as payoutLine(_:) writes it.
            let start = arena.cursor
            _ = arena.append(kindText)
            _ = arena.append(Self.space)
            _ = arena.append(m.vietnamese.buffer)
            _ = arena.append(Self.space)
            _ = arena.append(code.buffer)
            line.remittance = ByteView(base: start, count: arena.cursor - start)
        }
        return line
    }

    private static let space: [UInt8] = [0x20]

    /// A text column: nil for NULL, or for bytes `String(cString:)` would not give back unchanged.
    @inline(__always)
    private func text(_ i: Column) -> ByteView? {
        guard let b = cursor.text(i) else { return nil }
        let v = ByteView(base: b.baseAddress, count: b.count)
        return Self.isPlainUTF8(v) ? v : nil
    }

    /// An optional text column: `.some(nil)` for NULL, nil when unusable.
    @inline(__always)
    private func optionalText(_ i: Column) -> ByteView?? {
        if cursor.isNull(i) { return .some(nil) }
        guard let v = text(i) else { return nil }
        return .some(v)
    }

    /// Valid UTF-8 without NUL: what GRDB's `String` decoding keeps byte for byte.
    @inline(__always)
    static func isPlainUTF8(_ v: ByteView) -> Bool {
        guard let p = v.base else { return true }
        let n = v.count
        var i = 0
        while i < n {
            let b0 = p[i]
            if b0 < 0x80 {
                if b0 == 0 { return false }
                i += 1
                continue
            }
            // Well-formed sequences as Unicode's table 3-7 lists them (what `String(validating:)` accepts).
            if b0 < 0xC2 { return false }
            if b0 < 0xE0 {
                guard i + 1 < n, p[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if b0 < 0xF0 {
                guard i + 2 < n, p[i + 2] & 0xC0 == 0x80 else { return false }
                let b1 = p[i + 1]
                switch b0 {
                case 0xE0: guard b1 >= 0xA0 && b1 <= 0xBF else { return false }
                case 0xED: guard b1 >= 0x80 && b1 <= 0x9F else { return false }
                default: guard b1 & 0xC0 == 0x80 else { return false }
                }
                i += 3
            } else if b0 < 0xF5 {
                guard i + 3 < n, p[i + 2] & 0xC0 == 0x80, p[i + 3] & 0xC0 == 0x80 else { return false }
                let b1 = p[i + 1]
                switch b0 {
                case 0xF0: guard b1 >= 0x90 && b1 <= 0xBF else { return false }
                case 0xF4: guard b1 >= 0x80 && b1 <= 0x8F else { return false }
                default: guard b1 & 0xC0 == 0x80 else { return false }
                }
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    /// True when `VietnameseText.bankForm` would give the text back unchanged: printable ASCII
    /// without lower-case letters, words separated by single spaces (it only drops diacritics,
    /// folds whitespace and upper-cases). Bank account names in the store are already in that form.
    @inline(__always)
    static func isAlreadyBankForm(_ v: ByteView) -> Bool {
        guard let base = v.base else { return true }
        if base[0] == 0x20 || base[v.count - 1] == 0x20 { return false }
        var previousSpace = false
        for i in 0..<v.count {
            let b = base[i]
            if b == 0x20 {
                if previousSpace { return false }
                previousSpace = true
                continue
            }
            previousSpace = false
            if b < 0x21 || b > 0x7E || (b >= 0x61 && b <= 0x7A) { return false }
        }
        return true
    }

    private static let channels: [(bytes: [UInt8], channel: PayoutLine.Channel)] =
        PayoutLine.Channel.allCases.map { (Array($0.rawValue.utf8), $0) }
    private static let kinds: [(bytes: [UInt8], kind: EntitlementKind)] =
        EntitlementKind.allCases.map { (Array($0.rawValue.utf8), $0) }

    /// `Channel(rawValue:) ?? .postCash`.
    private static func channel(_ v: ByteView) -> PayoutLine.Channel {
        for c in channels where c.bytes.withUnsafeBufferPointer({ ByteView(base: $0.baseAddress, count: $0.count) == v }) {
            return c.channel
        }
        return .postCash
    }

    /// `EntitlementKind(rawValue:) ?? .allowance`.
    private static func kind(_ v: ByteView) -> EntitlementKind {
        for k in kinds where k.bytes.withUnsafeBufferPointer({ ByteView(base: $0.baseAddress, count: $0.count) == v }) {
            return k.kind
        }
        return .allowance
    }
}

/// The months of a batch's lines (a handful) with their two spellings, parsed once each.
private struct MonthCache {
    final class Entry {
        let key: [UInt8]
        let month: YearMonth
        private let storage: ByteArena
        let vietnamese: ByteView
        let iso: ByteView

        init(key: [UInt8], month: YearMonth) {
            self.key = key
            self.month = month
            let v = month.vietnamese, iso = month.description
            storage = ByteArena(capacity: v.utf8.count + iso.utf8.count)
            storage.reset(minimumCapacity: v.utf8.count + iso.utf8.count)
            vietnamese = storage.append(v)
            self.iso = storage.append(iso)
        }
    }

    private var last: Entry?
    private var all: [String: Entry] = [:]

    /// The month of a `for_month` value, or nil when `YearMonth` does not read it.
    mutating func month(_ v: ByteView) -> Entry? {
        if let last, last.key.withUnsafeBufferPointer({ ByteView(base: $0.baseAddress, count: $0.count) == v }) { return last }
        let text = v.string
        if let e = all[text] { last = e; return e }
        guard let month = YearMonth(text) else { return nil }
        let e = Entry(key: Array(v.buffer), month: month)
        all[text] = e
        last = e
        return e
    }
}
