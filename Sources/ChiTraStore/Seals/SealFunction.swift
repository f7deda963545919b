import ChiTraCore
import ChiTraSigning
import Foundation
import GRDB
import GRDBSQLite

/// The seal functions (`chitra_line_seal`, `chitra_payment_mac`) registered through the SQLite C
/// API: each argument is read as SQLite holds it and fed into a copy of the keyed HMAC context,
/// in exactly the bytes of ``SealEncoding/encode(tag:_:)`` (a test compares the two), with no
/// `DatabaseValue`, `String` or `Data` made per argument. They run once per payout line at
/// approval and export, and once per person at each build.
enum SealFunction {
    /// What a registered function needs: its tag and the keyed HMAC. Kept alive by SQLite (freed by `destroy`).
    final class Context {
        let tag: [UInt8]
        let hmac: KeyedHMAC
        init(tag: String, hmac: KeyedHMAC) { self.tag = Array(tag.utf8); self.hmac = hmac }
    }

    static func register(_ db: Database, name: String, tag: String, argumentCount: Int, key: AuditKey) throws {
        let context = Unmanaged.passRetained(Context(tag: tag, hmac: key.hmac)).toOpaque()
        let rc = sqlite3_create_function_v2(db.sqliteConnection, name, Int32(argumentCount), SQLITE_UTF8 | SQLITE_DETERMINISTIC, context,
                                            { ctx, argc, argv in SealFunction.call(ctx, argc, argv) }, nil, nil,
                                            { p in if let p { Unmanaged<Context>.fromOpaque(p).release() } })
        guard rc == SQLITE_OK else { throw StoreError(Message("store.sql_function", ["name": .text(name), "code": .int(Int(rc))])) }
    }

    private static func call(_ ctx: OpaquePointer?, _ argc: Int32, _ argv: UnsafeMutablePointer<OpaquePointer?>?) {
        let context = Unmanaged<Context>.fromOpaque(sqlite3_user_data(ctx)!).takeUnretainedValue()
        do {
            let h = try context.hmac.copyOfTemplate()
            try context.tag.withUnsafeBytes { try h.update(bytes: $0) }
            for i in 0..<Int(argc) {
                let v = argv![i]
                switch sqlite3_value_type(v) {
                case SQLITE_NULL:
                    try feed(h, 0, nil as UnsafeRawBufferPointer?)
                case SQLITE_INTEGER:
                    try feed(h, 1, Array(String(sqlite3_value_int64(v)).utf8))
                case SQLITE_FLOAT:
                    try feed(h, 2, Array(String(sqlite3_value_double(v)).utf8))
                case SQLITE_TEXT:
                    let p = sqlite3_value_text(v), n = Int(sqlite3_value_bytes(v))
                    try feed(h, 3, UnsafeRawBufferPointer(start: p, count: n))
                default:
                    let p = sqlite3_value_blob(v), n = Int(sqlite3_value_bytes(v))
                    try feed(h, 4, UnsafeRawBufferPointer(start: p, count: n))
                }
            }
            let mac = try h.finalize()
            mac.withUnsafeBytes { sqlite3_result_blob(ctx, $0.baseAddress, Int32($0.count), RawSQL.transient) }
        } catch {
            sqlite3_result_error(ctx, "the audit key produced no MAC", -1)
        }
    }

    /// A type byte, then (unless NULL) a 4-byte big-endian length and the bytes.
    private static func feed(_ h: HMACSHA256, _ type: UInt8, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try feed(h, type, $0) }
    }

    private static func feed(_ h: HMACSHA256, _ type: UInt8, _ bytes: UnsafeRawBufferPointer?) throws {
        var header: [UInt8] = [type]
        if let bytes {
            let n = UInt32(bytes.count)
            header += [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        }
        try header.withUnsafeBytes { try h.update(bytes: $0) }
        if let bytes, bytes.count > 0 { try h.update(bytes: bytes) }
    }
}
