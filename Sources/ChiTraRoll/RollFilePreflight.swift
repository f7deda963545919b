import ChiTraCore
import Foundation

/// Checks a roll file before anything reads it: a regular file, not empty, not absurdly large.
///
/// A commune's roll is a few megabytes (3,000 people ≈ 1 MB) and a national one about 1.3 GB
/// (5 million people); the limit leaves room for that while refusing, by size alone, a file far
/// larger picked by mistake (which would otherwise be hashed in full before the first line is read).
public enum RollFilePreflight {
    /// Largest accepted roll file, in bytes (4 GiB: three times a national roll).
    public static let maxBytes: UInt64 = 4 << 30

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    public static func check(_ url: URL, maxBytes: UInt64 = maxBytes) throws {
        let name = url.lastPathComponent
        var st = stat()
        guard stat(url.path, &st) == 0 else {
            throw Refused(description: Message("roll.file.unreadable", ["file": .text(name), "reason": .text(String(cString: strerror(errno)))]).text())
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw Refused(description: Message("roll.file.not_regular", ["file": .text(name)]).text()) }
        let size = UInt64(st.st_size)
        if size == 0 { throw Refused(description: Message("roll.file.empty", ["file": .text(name)]).text()) }
        if size > maxBytes {
            throw Refused(description: Message("roll.file.too_large", ["file": .text(name), "size": .int(Int(size)), "limit": .int(Int(maxBytes))]).text())
        }
    }
}
