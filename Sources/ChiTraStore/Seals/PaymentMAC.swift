import ChiTraSigning
import Foundation
import GRDB

/// A MAC over each person's payment fields, under the audit key (never in the store).
///
/// Written only where ChiTra changes those fields and records why: the roll import (history from
/// the file) and the manual updates (`beneficiary set-account` / `set-proxy`: history and the audit
/// chain). Someone who writes an account number straight into the SQLite file cannot recompute it,
/// and the batch build refuses, listing the people whose fields no longer match their MAC.
public enum PaymentMAC {
    /// The fields covered, in order.
    static let columns = ["code", "full_name", "name_bank", "channel", "bank_bin", "account_no", "account_name",
                          "proxy_name", "proxy_id", "proxy_relation", "authorisation_until"]
    static let functionName = "chitra_payment_mac"
    static let tag = "chitra-payment-v1"

    static func register(_ db: Database, key: AuditKey) throws {
        try SealFunction.register(db, name: functionName, tag: tag, argumentCount: columns.count, key: key)
    }

    /// `chitra_payment_mac(b.code, b.full_name, …)` for the table alias `alias`.
    static func expression(_ alias: String = "beneficiary") -> String {
        "\(functionName)(\(columns.map { "\(alias).\($0)" }.joined(separator: ", ")))"
    }

    /// Re-seals the people a roll import wrote (`last_file_id = fileID`), inside its transaction.
    public static func sealImported(_ db: Database, fileID: Int64) throws {
        try db.execute(sql: "UPDATE beneficiary SET payment_mac = \(expression()) WHERE last_file_id = ?", arguments: [fileID])
    }

    /// Re-seals one person after a manual update, inside its transaction.
    public static func seal(_ db: Database, code: String) throws {
        try db.execute(sql: "UPDATE beneficiary SET payment_mac = \(expression()) WHERE code = ?", arguments: [code])
    }

    /// Seals every person (migration: the fields as they are when seals begin).
    static func sealAll(_ db: Database) throws {
        try db.execute(sql: "UPDATE beneficiary SET payment_mac = \(expression())")
    }

    /// The codes whose payment fields no longer match their MAC (changed outside ChiTra), at most `limit`.
    public static func mismatches(_ db: Database, limit: Int = 1000) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT code FROM beneficiary WHERE payment_mac IS NOT \(expression()) ORDER BY code LIMIT ?", arguments: [limit])
    }
}
