import ChiTraSigning
import Foundation
import GRDB

/// A MAC, under the audit key (never in the store), over what decides who is paid and how much:
/// each person's payment fields (channel, bank, account, account name, proxy), birth date, sex,
/// status and death date, and each of their grants (category, children, decision, months, status).
///
/// Written only where ChiTra changes those fields and records why: the roll import (history from
/// the file), the manual updates (`beneficiary set-account` / `set-proxy`: history and the audit
/// chain) and a return reporting a death (suspension, with history). Someone who writes an account
/// number, a category or a death date straight into the SQLite file cannot recompute it, and the
/// batch build refuses, listing the people whose details no longer match their MAC.
public enum PaymentMAC {
    /// The person's fields covered, in order.
    static let columns = ["code", "full_name", "name_bank", "channel", "bank_bin", "account_no", "account_name",
                          "proxy_name", "proxy_id", "proxy_relation", "authorisation_until",
                          "birth_date", "birth_year_only", "sex", "status", "death_date"]
    static let functionName = "chitra_payment_mac"
    static let tag = "chitra-payment-v1"
    /// A grant's fields covered, in order.
    static let grantColumns = ["code", "category", "children", "decision_no", "decision_date", "start_month", "end_month", "status"]
    static let grantFunctionName = "chitra_grant_mac"
    static let grantTag = "chitra-grant-v1"

    static func register(_ db: Database, key: AuditKey) throws {
        try SealFunction.register(db, name: functionName, tag: tag, argumentCount: columns.count, key: key)
        try SealFunction.register(db, name: grantFunctionName, tag: grantTag, argumentCount: grantColumns.count, key: key)
    }

    /// A foster carer's cared-for birth dates (v7) are sealed with the count: when there are none
    /// the argument is the count as before (every grant sealed before v7 keeps its seal); else the
    /// text `count|dates`, which no integer count can equal (the type is part of the MAC).
    static var grantExpression: String {
        let args = grantColumns.map { c in
            c == "children" ? "CASE WHEN grant_record.cared_for_birth_dates IS NULL THEN grant_record.children ELSE ifnull(grant_record.children, '') || '|' || grant_record.cared_for_birth_dates END"
                            : "grant_record.\(c)"
        }
        return "\(grantFunctionName)(\(args.joined(separator: ", ")))"
    }

    /// `chitra_payment_mac(b.code, b.full_name, …)` for the table alias `alias`.
    static func expression(_ alias: String = "beneficiary") -> String {
        "\(functionName)(\(columns.map { "\(alias).\($0)" }.joined(separator: ", ")))"
    }

    /// Re-seals the people and grants a roll import wrote (`last_file_id = fileID`; a person whose
    /// grants it wrote may have had their status derived again), inside its transaction.
    public static func sealImported(_ db: Database, fileID: Int64) throws {
        try db.execute(sql: "UPDATE grant_record SET grant_seal = \(grantExpression) WHERE last_file_id = ?", arguments: [fileID])
        try db.execute(sql: """
            UPDATE beneficiary SET payment_mac = \(expression())
            WHERE last_file_id = ? OR code IN (SELECT code FROM grant_record WHERE last_file_id = ?)
            """, arguments: [fileID, fileID])
    }

    /// Re-seals one person after a manual update, inside its transaction.
    public static func seal(_ db: Database, code: String) throws {
        try db.execute(sql: "UPDATE beneficiary SET payment_mac = \(expression()) WHERE code = ?", arguments: [code])
    }

    /// Seals every person (migration: the fields as they are when seals begin). The grants are
    /// sealed as the v5 migration sealed them (no cared-for column existed yet).
    static func sealAll(_ db: Database) throws {
        try db.execute(sql: "UPDATE beneficiary SET payment_mac = \(expression())")
        try db.execute(sql: "UPDATE grant_record SET grant_seal = \(grantFunctionName)(\(grantColumns.map { "grant_record.\($0)" }.joined(separator: ", ")))")
    }

    /// The codes whose details or grants no longer match their MAC (changed outside ChiTra), at most `limit`.
    public static func mismatches(_ db: Database, limit: Int = 1000) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT code FROM beneficiary WHERE payment_mac IS NOT \(expression())
            UNION SELECT code FROM grant_record WHERE grant_seal IS NOT \(grantExpression)
            ORDER BY code LIMIT ?
            """, arguments: [limit])
    }
}
