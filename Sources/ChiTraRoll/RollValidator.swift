import ChiTraCore

/// One problem with one line of a roll file: file, line, column, value and what to do.
public struct RollProblem: Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: RollColumn?
    public var value: String
    /// The reason in English, for a problem not yet in the message catalogue; `reasonMessage` wins.
    public var legacyMessage: String
    /// The reason as a catalogue message (said in the language asked for).
    public var reasonMessage: Message?
    /// The reason in the process's language.
    public var message: String { reasonMessage?.text() ?? legacyMessage }
    public func message(in language: Language) -> String { reasonMessage?.text(in: language) ?? legacyMessage }
    /// The value is a date that only reads month-first (`7/26/2025`): the importer refuses the
    /// whole file (`RollFileRefused`), since its other dates cannot be trusted either.
    public var monthFirstDate = false

    public init(file: String, line: Int, column: RollColumn?, value: String, message: String, monthFirstDate: Bool = false) {
        self.file = file; self.line = line; self.column = column; self.value = value
        self.legacyMessage = message; self.monthFirstDate = monthFirstDate
    }

    public init(file: String, line: Int, column: RollColumn?, value: String, reason: Message, monthFirstDate: Bool = false) {
        self.init(file: file, line: line, column: column, value: value, message: reason.text(in: .en), monthFirstDate: monthFirstDate)
        self.reasonMessage = reason
    }

    /// For the console and logs: personal IDs and account numbers masked, the value quoted
    /// through `SafeText` (no control or direction characters, at most 120 characters).
    public var description: String { text(in: .current) }

    public func text(in language: Language) -> String {
        let reason = message(in: language)
        switch (column, value.isEmpty) {
        case (let c?, false):
            return Message("roll.problem.column_value", ["file": .text(file), "line": .int(line), "header": .text(c.vietnameseHeader),
                                                         "column": .text(c.rawValue), "value": .text(shownValue), "reason": .text(reason)]).text(in: language)
        case (let c?, true):
            return Message("roll.problem.column", ["file": .text(file), "line": .int(line), "header": .text(c.vietnameseHeader),
                                                   "column": .text(c.rawValue), "reason": .text(reason)]).text(in: language)
        default:
            return Message("roll.problem.line", ["file": .text(file), "line": .int(line), "reason": .text(reason)]).text(in: language)
        }
    }
    /// The value as messages show it: personal IDs and account numbers masked, through `SafeText`.
    public var shownValue: String {
        let shown: String
        switch column {
        case .personalID?, .proxyID?: shown = PersonalID.masked(value)
        case .accountNo?: shown = maskAccount(value)
        default: shown = value
        }
        return SafeText.echo(shown, limit: 120)
    }
    /// For the rejects file, which already holds the full line.
    public var reason: String { reason(in: .current) }
    public func reason(in language: Language) -> String {
        let col = column.map { "\($0.vietnameseHeader): " } ?? ""
        return col + message(in: language)
    }
}

/// The outcome of validating one line.
public enum RollValidation: Sendable {
    case valid(RollRow)
    case invalid([RollProblem])
}

/// Turns the cells of one roll line into a `RollRow`, or the list of what is wrong with it.
public struct RollValidator: Sendable {
    public let tariff: Tariff
    public let banks: BankDirectory
    public let today: CivilDate

    public init(tariff: Tariff, banks: BankDirectory, today: CivilDate = .today()) {
        self.tariff = tariff; self.banks = banks; self.today = today
    }

    static let sexes: [String: PersonalID.Sex] = ["nam": .male, "m": .male, "male": .male,
                                                  "nữ": .female, "nu": .female, "f": .female, "female": .female]
    static let statuses: [String: PersonFacts.Status] = ["đang hưởng": .active, "active": .active,
                                                         "tạm dừng": .suspended, "suspended": .suspended,
                                                         "thôi hưởng": .stopped, "stopped": .stopped]
    static let channels: [String: Channel] = ["tài khoản ngân hàng": .bank, "bank": .bank,
                                              "tài khoản bưu điện": .postAccount, "post_account": .postAccount,
                                              "tiền mặt tại bưu điện": .postCash, "post_cash": .postCash]

    /// `table[VietnameseText.key(text)]`, trying the text as written first: an export writes the
    /// same few spellings on every line, and `key` (NFC, spaces, lower case) costs more than a lookup.
    /// Each spelling's answer is computed with `key` itself, so the result is the same.
    struct KeyedLookup<T: Sendable>: Sendable {
        let table: [String: T]
        let asWritten: [String: T?]
        init(_ table: [String: T], spellings: [String] = []) {
            self.table = table
            var w: [String: T?] = [:]
            for k in Array(table.keys) + spellings {
                let capitalized = k.prefix(1).uppercased() + k.dropFirst()
                for s in [k, capitalized, k.uppercased()] { w[s] = .some(table[VietnameseText.key(s)]) }
            }
            asWritten = w
        }
        @inline(__always)
        func callAsFunction(_ text: String) -> T? {
            if let hit = asWritten[text] { return hit }
            return table[VietnameseText.key(text)]
        }
    }
    static let sexLookup = KeyedLookup(sexes)
    static let statusLookup = KeyedLookup(statuses)
    static let channelLookup = KeyedLookup(channels)
    static let needsProxyLookup = KeyedLookup(["": false, "không": false, "khong": false, "no": false, "0": false,
                                                "có": true, "co": true, "x": true, "yes": true, "1": true])

    /// `numericFields`: the fields (0-based) that were number cells in an `.xlsx`.
    public func validate(fields: [String], line: Int, header: RollHeader, file: String, numericFields: [Int] = []) -> RollValidation {
        var problems: [RollProblem] = []
        let values = header.values(in: fields)
        func v(_ c: RollColumn) -> String { values[c.ordinal] }
        func fail(_ c: RollColumn?, _ value: String, _ msg: String) {
            problems.append(RollProblem(file: file, line: line, column: c, value: value, message: msg))
        }
        func fail(_ c: RollColumn?, _ value: String, _ reason: Message) {
            problems.append(RollProblem(file: file, line: line, column: c, value: value, reason: reason))
        }
        func required(_ c: RollColumn) -> String? {
            let s = v(c)
            if s.isEmpty { fail(c, "", Message("roll.field.required")); return nil }
            return s
        }
        /// A date that reads only month-first (`7/26/2025`): the whole file is refused.
        func monthFirst(_ c: RollColumn, _ s: String) -> Bool {
            guard let d = CivilDate.monthFirstOnly(s) else { return false }
            problems.append(RollProblem(file: file, line: line, column: c, value: s,
                reason: Message("roll.date.month_first", ["date": .text(d.vietnamese)]), monthFirstDate: true))
            return true
        }
        func date(_ c: RollColumn, optional: Bool) -> CivilDate? {
            let s = v(c)
            if s.isEmpty { if !optional { fail(c, "", Message("roll.date.required")) }; return nil }
            guard let d = CivilDate(s) else {
                if !monthFirst(c, s) { fail(c, s, Message("roll.date.not_real")) }
                return nil
            }
            return d
        }
        func month(_ c: RollColumn, optional: Bool) -> YearMonth? {
            let s = v(c)
            if s.isEmpty { if !optional { fail(c, "", Message("roll.month.required")) }; return nil }
            guard let m = YearMonth(s) else { fail(c, s, Message("roll.month.not_month")); return nil }
            return m
        }

        if fields.count != header.cells.count {
            fail(nil, "", Message("roll.line.field_count", ["fields": .int(fields.count), "header": .int(header.cells.count)]))
            return .invalid(problems)
        }

        // Every field: no control or text-direction characters; names and short fields at most
        // 100 characters, the address 300 (`FieldText`). The other checks still run, so a line
        // gets all its reasons at once.
        for c in RollColumn.allCases {
            let s = values[c.ordinal]
            if s.isEmpty { continue }
            if let f = FieldText.forbidden(in: s) { fail(c, s, f.message); continue }
            let limit = c == .address ? FieldText.maxAddress : FieldText.maxName
            if let n = FieldText.length(s, over: limit) { fail(c, s, Message("roll.field.too_long", ["n": .int(n), "limit": .int(limit)])) }
        }

        // Identity
        let code = required(.code) ?? ""
        // ASCII letters, digits and ._- (any non-ASCII byte fails, as any non-ASCII scalar did).
        if !code.isEmpty && !(code.utf8.count <= 32 && code.utf8.allSatisfy { b in
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x5F || b == 0x2D }) {
            fail(.code, code, Message("roll.code.invalid"))
        }
        let rawName = required(.fullName) ?? ""
        let fullName = VietnameseText.normalizedName(rawName)
        let sexText = v(.sex)
        let sex = Self.sexLookup(sexText)
        if sex == nil { fail(.sex, sexText, Message("roll.sex.invalid")) }

        var birth: CivilDate?
        var birthYearOnly = false
        let birthText = v(.birthDate)
        if birthText.isEmpty { fail(.birthDate, "", Message("roll.birth.required")) }
        // `count == 4` as `utf8.count == 4`: `Int` accepts only ASCII, where they agree.
        else if birthText.utf8.count == 4, let y = Int(birthText), let d = CivilDate(year: y, month: 1, day: 1) {
            birth = d; birthYearOnly = true
        } else if let d = CivilDate(birthText) { birth = d }
        else if !monthFirst(.birthDate, birthText) { fail(.birthDate, birthText, Message("roll.date.birth_not_real")) }
        if let b = birth, b > today { fail(.birthDate, birthText, Message("roll.date.future")) }

        var pid = required(.personalID) ?? ""
        var legacy = false
        var restoredFrom: String?
        if (10...11).contains(pid.utf8.count) && FastText.isASCIIDigits(pid) {
            // Excel drops the leading zeros of an ID typed as a number: restored only when provably right.
            if let padded = PersonalID.restoringLeadingZeros(pid, sex: sex, birthYear: birth?.year) {
                restoredFrom = pid; pid = padded
            } else {
                fail(.personalID, pid, Message("roll.id.leading_zeros_unprovable", ["digits": .int(pid.utf8.count)]))
                pid = ""
            }
        }
        if !pid.isEmpty {
            switch PersonalID.check(pid, sex: sex, birthYear: birth?.year) {
            case .success(.legacyCMND): legacy = true
            case .success: break
            case .failure(.wrongLength(let n)): fail(.personalID, pid, Message("roll.id.wrong_length", ["digits": .int(n)]))
            case .failure(.centurySexDigit(let found, let expected)):
                fail(.personalID, pid, Message("roll.id.century_sex", ["found": .text(String(found)), "expected": .text(String(expected))]))
            case .failure(.birthYearDigits(let found, let expected)):
                fail(.personalID, pid, Message("roll.id.year_digits", ["found": .text(found), "expected": .text(expected)]))
            case .failure(.notDigits): fail(.personalID, pid, Message("roll.id.not_digits"))
            }
        }
        let commune = VietnameseText.normalizedName(required(.commune) ?? "")
        let village = VietnameseText.normalizedName(required(.village) ?? "")
        let address = VietnameseText.normalizedName(v(.address))
        var phone = FastText.removingSpacesAndDots(v(.phone))
        if phone.hasPrefix("+84") { phone = "0" + phone.dropFirst(3) }
        if !phone.isEmpty && !(FastText.isASCIIDigits(phone) ? (9...11).contains(phone.utf8.count)
                               : phone.allSatisfy(\.isASCII) && phone.allSatisfy(\.isNumber) && (9...11).contains(phone.count)) {
            fail(.phone, v(.phone), Message("roll.phone.invalid"))
        }

        // Grant
        let catCode = FastText.uppercased(required(.category) ?? "")
        let category = tariff.category(catCode)
        if !catCode.isEmpty && category == nil {
            fail(.category, catCode, Message("roll.category.unknown"))
        }
        var children: Int?
        let childText = v(.children)
        if !childText.isEmpty {
            if let n = Int(childText), n >= 1, n <= 20 { children = n } else { fail(.children, childText, Message("roll.children.invalid")) }
        } else if category?.needsCount == true {
            fail(.children, "", Message("roll.children.required", ["category": .text(catCode)]))
        }
        let decisionNo = required(.decisionNo) ?? ""
        let decisionDate = date(.decisionDate, optional: false)
        let start = month(.startMonth, optional: false)
        let end = month(.endMonth, optional: true)
        let death = date(.deathDate, optional: true)
        if let s = start, let e = end, e < s { fail(.endMonth, v(.endMonth), Message("roll.month.end_before_start", ["start": .text(s.vietnamese)])) }
        if let b = birth, let d = decisionDate, d < b { fail(.decisionDate, v(.decisionDate), Message("roll.date.before_birth")) }
        if let d = decisionDate, d > today { fail(.decisionDate, v(.decisionDate), Message("roll.date.future")) }
        if category?.scheme == .funeral && death == nil && v(.deathDate).isEmpty {
            fail(.deathDate, "", Message("roll.death.required_funeral", ["category": .text(catCode)]))
        }
        if let d = death {
            if d > today { fail(.deathDate, v(.deathDate), Message("roll.date.future")) }
            if let b = birth, d < b { fail(.deathDate, v(.deathDate), Message("roll.date.before_birth")) }
            if let s = start, s > d.yearMonth { fail(.startMonth, v(.startMonth), Message("roll.month.after_death")) }
        }
        if let b = birth, let s = start, s < b.yearMonth { fail(.startMonth, v(.startMonth), Message("roll.date.before_birth")) }

        let statusText = v(.status)
        let status = Self.statusLookup(statusText)
        if status == nil { fail(.status, statusText, Message("roll.status.invalid")) }
        if status == .stopped && end == nil && death == nil {
            fail(.endMonth, "", Message("roll.month.end_required_stopped"))
        }

        // Channel
        let channelText = v(.channel)
        let channel = Self.channelLookup(channelText)
        if channel == nil { fail(.channel, channelText, Message("roll.channel.invalid")) }
        let bin = v(.bankBIN)
        let account = FastText.removingSpaces(v(.accountNo))
        let accountName = VietnameseText.normalizedName(v(.accountName))
        if channel == .bank {
            if bin.isEmpty { fail(.bankBIN, "", Message("roll.bank.required")) }
            else if banks.bank(bin) == nil { fail(.bankBIN, bin, Message("roll.bank.unknown")) }
            if accountName.isEmpty { fail(.accountName, "", Message("roll.account_name.required")) }
        } else if !bin.isEmpty && banks.bank(bin) == nil {
            fail(.bankBIN, bin, Message("roll.bank.unknown"))
        }
        if channel == .bank || channel == .postAccount {
            if account.isEmpty { fail(.accountNo, "", Message("roll.account.required")) }
        }
        let accountField = header.positions[RollColumn.accountNo.ordinal]
        if !account.isEmpty && Self.isScientific(account) {
            // `1,23E+15`: Excel showed the number rounded; the digits are gone.
            fail(.accountNo, account, Message("roll.account.scientific"))
        } else if !account.isEmpty && accountField >= 0 && numericFields.contains(accountField) {
            // A number cell in the .xlsx: leading zeros (Vietcombank's 00…) are lost, and cannot be told.
            fail(.accountNo, account, Message("roll.account.number_cell"))
        } else if !account.isEmpty && !(account.utf8.count <= 19 && account.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }) {
            fail(.accountNo, account, Message("roll.account.invalid"))
        }

        // Proxy
        let proxyName = VietnameseText.normalizedName(v(.proxyName))
        let proxyID = v(.proxyID)
        let relation = VietnameseText.normalizedName(v(.proxyRelation))
        let authUntil = date(.authorisationUntil, optional: true)
        let isChild = birth.map { b in
            let age = today.year - b.year - ((today.month, today.day) < (b.month, b.day) ? 1 : 0)
            return age < 16
        } ?? false
        if category?.guardianRequired == true && isChild && proxyName.isEmpty {
            fail(.proxyName, "", Message("roll.proxy.required_child"))
        }
        if !proxyName.isEmpty {
            if proxyID.isEmpty { fail(.proxyID, "", Message("roll.proxy.field_required")) }
            else if (10...11).contains(proxyID.utf8.count) && FastText.isASCIIDigits(proxyID) {
                // No birth date for the proxy: a restored zero could not be proved.
                fail(.proxyID, proxyID, Message("roll.id.proxy_leading_zeros", ["digits": .int(proxyID.utf8.count)]))
            }
            else if case .failure(let p) = PersonalID.check(proxyID, sex: nil, birthYear: nil) {
                if case .wrongLength(let n) = p { fail(.proxyID, proxyID, Message("roll.id.wrong_length", ["digits": .int(n)])) }
                else { fail(.proxyID, proxyID, Message("roll.id.not_digits")) }
            }
            if relation.isEmpty { fail(.proxyRelation, "", Message("roll.proxy.field_required")) }
            if authUntil == nil && !ProxyRelation.isGuardian(relation) && v(.authorisationUntil).isEmpty {
                fail(.authorisationUntil, "", Message("roll.proxy.until_required"))
            }
        } else if !proxyID.isEmpty || !relation.isEmpty {
            fail(.proxyName, "", Message("roll.proxy.name_missing"))
        }

        var needsProxy = false
        switch Self.needsProxyLookup(v(.needsProxy)) {
        case false?: needsProxy = false
        case true?: needsProxy = true
        case nil: fail(.needsProxy, v(.needsProxy), Message("roll.needs_proxy.invalid"))
        }

        // A foster carer's cared-for persons: one birth date each, `;` between them.
        var caredFor: [CivilDate] = []
        let caredForText = v(.caredForBirthDate)
        if !caredForText.isEmpty {
            var readable = true
            for part in caredForText.split(separator: ";", omittingEmptySubsequences: false) {
                let s = FastText.trimmedWhitespaces(String(part))
                if let d = CivilDate(s) {
                    if d > today { fail(.caredForBirthDate, caredForText, Message("roll.cared_for.future", ["date": .text(s)])); readable = false }
                    caredFor.append(d)
                } else {
                    if !monthFirst(.caredForBirthDate, s) {
                        fail(.caredForBirthDate, caredForText, s.isEmpty ? Message("roll.cared_for.empty_date")
                                                                        : Message("roll.cared_for.not_date", ["date": .text(SafeText.echo(s, limit: 40))]))
                    }
                    readable = false
                }
            }
            if let category, !category.followsCaredForAge {
                let foster = tariff.categoryOrder.filter { tariff.category($0)?.followsCaredForAge == true }
                fail(.caredForBirthDate, caredForText, Message("roll.cared_for.not_foster", ["foster": .text(foster.joined(separator: ", ")), "category": .text(catCode)]))
            } else if readable, let n = children, n != caredFor.count {
                fail(.caredForBirthDate, caredForText, Message("roll.cared_for.count_mismatch", ["dates": .int(caredFor.count), "column": .text(RollColumn.children.vietnameseHeader), "n": .int(n)]))
            }
        }

        guard problems.isEmpty, let sex, let birth, let decisionDate, let start, let status, let channel else {
            return .invalid(problems)
        }
        return .valid(RollRow(
            line: line, code: code, fullName: fullName, nameBank: VietnameseText.bankForm(fullName),
            birthDate: birth, birthYearOnly: birthYearOnly, sex: sex, personalID: pid, idLegacy: legacy,
            commune: commune, village: village, address: address, phone: phone,
            category: catCode, children: children, decisionNo: decisionNo, decisionDate: decisionDate,
            startMonth: start, endMonth: end, deathDate: death, status: status, channel: channel,
            bankBIN: bin.isEmpty ? nil : bin, accountNo: account.isEmpty ? nil : account,
            accountName: accountName.isEmpty ? nil : accountName,
            proxyName: proxyName.isEmpty ? nil : proxyName, proxyID: proxyID.isEmpty ? nil : proxyID,
            proxyRelation: relation.isEmpty ? nil : relation, authorisationUntil: authUntil, needsProxy: needsProxy,
            caredForBirthDates: caredFor, personalIDRestoredFrom: restoredFrom))
    }

    /// `1,23E+15`, `1.23457E+15`, `1E+15`: a number as Excel shows it in scientific notation.
    static func isScientific(_ s: String) -> Bool {
        var sawE = false, digitsBefore = 0, digitsAfter = 0
        var i = s.utf8.makeIterator()
        var prev: UInt8 = 0
        while let b = i.next() {
            switch b {
            case 0x30...0x39: if sawE { digitsAfter += 1 } else { digitsBefore += 1 }
            case 0x2C, 0x2E: if sawE { return false }
            case 0x45, 0x65: if sawE { return false }; sawE = true
            case 0x2B, 0x2D: if !(sawE && (prev == 0x45 || prev == 0x65)) { return false }
            default: return false
            }
            prev = b
        }
        return sawE && digitsBefore > 0 && digitsAfter > 0
    }
}
