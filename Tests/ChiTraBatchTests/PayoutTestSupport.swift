import ChiTraBatch
import ChiTraCore
import Foundation

/// Shared documents and paths for the writer tests.
enum Sample {
    /// The package root (…/wt-writers), from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `shared/` beside the package root, where the ISO 20022 XSDs live.
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let painXSD = shared.appendingPathComponent("iso20022/xsd/pain.001.001.09.xsd")
    static let formatsFile = packageRoot.appendingPathComponent("formats/payout-formats.json")

    static let december = YearMonth(year: 2026, month: 12)!
    static let agribank = Institution(kind: .bank, code: "970405", name: "Agribank")
    static let vietcombank = Institution(kind: .bank, code: "970436", name: "Vietcombank")
    static let postOffice = Institution(kind: .postOffice, code: "VNPOST-HUONGTRA", name: "Bưu điện Hương Trà")
    static let debtor = Debtor(name: "UBND phường Hương Trà", accountNo: "3712000012345", bankBIN: "970418", taxOrUnitCode: "1234567")

    static func bankLine(_ n: Int, bin: String, amount: Int64, name: String = "NGUYEN THI HOA",
                         account: String = "0123456789", remittance: String? = nil) -> PayoutLine {
        let code = String(format: "BTXH-%06d", n)
        return PayoutLine(reference: String(format: "CT202612-%06d", n), beneficiaryCode: code,
                          beneficiaryName: "Nguyễn Thị Hoa", payeeName: "Nguyễn Thị Hoa", payeeNameASCII: name,
                          personalIDMasked: "079******123", channel: .bank, bankBIN: bin, accountNo: account,
                          amount: amount, kind: .allowance, forMonth: december, commune: "Hương Trà",
                          village: "Tổ 1", address: "12 Lý Thái Tổ", phone: "0912345678",
                          remittance: remittance ?? "TCXH 12/2026 \(code)")
    }

    static func document(_ institution: Institution, _ lines: [PayoutLine]) -> PayoutDocument {
        PayoutDocument(messageID: "CT-202612-B7-\(institution.code.prefix(6))",
                       createdAt: Date(timeIntervalSince1970: 1_795_000_000), period: december,
                       executionDate: CivilDate(year: 2026, month: 11, day: 24)!,
                       debtor: debtor, institution: institution, lines: lines)
    }

    /// 750,000 + 1,000,000 + 500,000 = 2,250,000 to Vietcombank accounts.
    static func threeLineBankDocument() -> PayoutDocument {
        document(vietcombank, [
            bankLine(1, bin: "970436", amount: 750_000, name: "NGUYEN THI HOA"),
            bankLine(2, bin: "970436", amount: 1_000_000, name: "TRAN VAN DUC", account: "9876543210123"),
            bankLine(3, bin: "970436", amount: 500_000, name: "LE THI MAI", account: "1111222233334444"),
        ])
    }

    static func formats() throws -> PayoutFormats { try PayoutFormats.load(from: formatsFile) }

    static func text(_ file: PayoutFile) -> String { String(decoding: file.data, as: UTF8.self) }
}
