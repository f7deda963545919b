import ChiTraCore

/// One group's lines kept as bytes, for a format that sorts its lines (the post office's list,
/// by village then name): the group has to be whole before its first line can be written.
/// All the text of all the lines sits in one buffer; a line is a row of offsets into it.
///
/// A sorted format's group is one commune's post-office list, so this holds one commune, never
/// a bank's share of the roll.
final class BufferedLines {
    /// Offset and length of a value in `storage`; length -1 for an absent optional.
    private struct Slot { var offset: Int; var count: Int }
    private struct Stored {
        var reference, beneficiaryCode, beneficiaryName, payeeName, payeeNameASCII, proxyRelation, personalIDMasked: Slot
        var bankBIN, accountNo, forMonthVietnamese, forMonthISO, commune, village, address, phone, remittance: Slot
        var channel: PayoutLine.Channel
        var kind: PayoutLine.Kind
        var amount: Int64
        var forMonth: YearMonth
    }

    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var used = 0
    private var lines: [Stored] = []

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var count: Int { lines.count }

    /// Copies a line in (its views may belong to a SQLite row about to move on).
    func append(_ line: PayoutLineBytes) {
        func keep(_ v: ByteView?) -> Slot {
            guard let v else { return Slot(offset: 0, count: -1) }
            if used + v.count > capacity {
                let bigger = max(capacity * 2, used + v.count)
                let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
                moved.update(from: storage, count: used)
                storage.deallocate()
                storage = moved
                capacity = bigger
            }
            if v.count > 0 { (storage + used).update(from: v.base!, count: v.count) }
            defer { used += v.count }
            return Slot(offset: used, count: v.count)
        }
        lines.append(Stored(
            reference: keep(line.reference), beneficiaryCode: keep(line.beneficiaryCode),
            beneficiaryName: keep(line.beneficiaryName), payeeName: keep(line.payeeName),
            payeeNameASCII: keep(line.payeeNameASCII), proxyRelation: keep(line.proxyRelation),
            personalIDMasked: keep(line.personalIDMasked), bankBIN: keep(line.bankBIN), accountNo: keep(line.accountNo),
            forMonthVietnamese: keep(line.forMonthVietnamese), forMonthISO: keep(line.forMonthISO),
            commune: keep(line.commune), village: keep(line.village), address: keep(line.address),
            phone: keep(line.phone), remittance: keep(line.remittance),
            channel: line.channel, kind: line.kind, amount: line.amount, forMonth: line.forMonth))
    }

    /// The `i`-th line appended; its views are valid until the next ``append(_:)``.
    subscript(i: Int) -> PayoutLineBytes {
        let s = lines[i]
        func view(_ slot: Slot) -> ByteView? {
            slot.count < 0 ? nil : ByteView(base: UnsafePointer(storage + slot.offset), count: slot.count)
        }
        var b = PayoutLineBytes()
        b.reference = view(s.reference)!
        b.beneficiaryCode = view(s.beneficiaryCode)!
        b.beneficiaryName = view(s.beneficiaryName)!
        b.payeeName = view(s.payeeName)!
        b.payeeNameASCII = view(s.payeeNameASCII)!
        b.proxyRelation = view(s.proxyRelation)
        b.personalIDMasked = view(s.personalIDMasked)!
        b.channel = s.channel
        b.bankBIN = view(s.bankBIN)
        b.accountNo = view(s.accountNo)
        b.amount = s.amount
        b.kind = s.kind
        b.forMonth = s.forMonth
        b.forMonthVietnamese = view(s.forMonthVietnamese)!
        b.forMonthISO = view(s.forMonthISO)!
        b.commune = view(s.commune)!
        b.village = view(s.village)!
        b.address = view(s.address)!
        b.phone = view(s.phone)
        b.remittance = view(s.remittance)!
        return b
    }
}
