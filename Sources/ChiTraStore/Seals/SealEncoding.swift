import Foundation
import GRDB

/// The bytes a seal covers: a domain tag, then each value as a type byte, a 4-byte big-endian
/// length and its bytes (NULL, text and integer told apart, so that "" ≠ NULL and "12" ≠ 12).
enum SealEncoding {
    static func encode(tag: String, _ values: [DatabaseValue]) -> Data {
        var out = Data(tag.utf8)
        for v in values {
            switch v.storage {
            case .null: out.append(0)
            case .int64(let i): append(&out, 1, Data(String(i).utf8))
            case .double(let d): append(&out, 2, Data(String(d).utf8))
            case .string(let s): append(&out, 3, Data(s.utf8))
            case .blob(let b): append(&out, 4, b)
            }
        }
        return out
    }

    private static func append(_ out: inout Data, _ type: UInt8, _ bytes: Data) {
        out.append(type)
        var length = UInt32(bytes.count).bigEndian
        out.append(Data(bytes: &length, count: 4))
        out.append(bytes)
    }
}
