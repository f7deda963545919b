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
    /// What a registered function needs: its tag and the keyed HMAC, and a buffer the message is
    /// encoded into (reused from call to call, under a lock: SQLite may call a function of another
    /// connection from another thread). Kept alive by SQLite (freed by `destroy`).
    final class Context: @unchecked Sendable {
        let tag: [UInt8]
        let hmac: KeyedHMAC
        let lock = NSLock()
        var message: [UInt8] = []
        init(tag: String, hmac: KeyedHMAC) {
            self.tag = Array(tag.utf8); self.hmac = hmac
            message.reserveCapacity(1024)
        }
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
        context.lock.lock()
        defer { context.lock.unlock() }
        // The whole message in one buffer, then one HMAC over it: the bytes `SealEncoding.encode` makes.
        context.message.removeAll(keepingCapacity: true)
        context.message.append(contentsOf: context.tag)
        for i in 0..<Int(argc) {
            let v = argv![i]
            switch sqlite3_value_type(v) {
            case SQLITE_NULL:
                context.message.append(0)
            case SQLITE_INTEGER:
                appendDecimal(sqlite3_value_int64(v), type: 1, to: &context.message)
            case SQLITE_FLOAT:
                append(type: 2, UnsafeRawBufferPointer(start: nil, count: 0), String(sqlite3_value_double(v)), to: &context.message)
            case SQLITE_TEXT:
                let p = sqlite3_value_text(v), n = Int(sqlite3_value_bytes(v))
                append(type: 3, UnsafeRawBufferPointer(start: p, count: n), nil, to: &context.message)
            default:
                let p = sqlite3_value_blob(v), n = Int(sqlite3_value_bytes(v))
                append(type: 4, UnsafeRawBufferPointer(start: p, count: n), nil, to: &context.message)
            }
        }
        do {
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: HMACSHA256.byteCount) { out in
                try context.message.withUnsafeBytes { try context.hmac.mac(bytes: $0, into: out.baseAddress!) }
                sqlite3_result_blob(ctx, out.baseAddress, Int32(HMACSHA256.byteCount), RawSQL.transient)
            }
        } catch {
            sqlite3_result_error(ctx, "the audit key produced no MAC", -1)
        }
    }

    /// A type byte, a 4-byte big-endian length and the bytes (`bytes`, or `text`'s UTF-8 when given).
    private static func append(type: UInt8, _ bytes: UnsafeRawBufferPointer, _ text: String?, to out: inout [UInt8]) {
        if let text {
            append(type: type, Array(text.utf8), to: &out)
            return
        }
        out.append(type)
        appendLength(bytes.count, to: &out)
        if bytes.count > 0 { out.append(contentsOf: bytes) }
    }

    private static func append(type: UInt8, _ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(type)
        appendLength(bytes.count, to: &out)
        out.append(contentsOf: bytes)
    }

    private static func appendLength(_ count: Int, to out: inout [UInt8]) {
        let n = UInt32(count)
        out.append(UInt8(n >> 24)); out.append(UInt8((n >> 16) & 0xff)); out.append(UInt8((n >> 8) & 0xff)); out.append(UInt8(n & 0xff))
    }

    /// An integer as `String(i)` writes it (an optional minus, then decimal digits), without a String.
    private static func appendDecimal(_ i: Int64, type: UInt8, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)   // 32 bytes: room for 20 digits and a sign
        let count = withUnsafeMutableBytes(of: &digits) { buf -> Int in
            var m = i.magnitude
            var n = 0
            repeat { buf[31 - n] = UInt8(ascii: "0") + UInt8(m % 10); m /= 10; n += 1 } while m > 0
            if i < 0 { buf[31 - n] = UInt8(ascii: "-"); n += 1 }
            return n
        }
        out.append(type)
        appendLength(count, to: &out)
        withUnsafeBytes(of: &digits) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[(32 - count)...])) }
    }
}
