import ChiTraCore
import Foundation

/// Reads a file in fixed-size chunks into one reused buffer, so memory stays constant.
enum FileChunks {
    /// 1 MiB.
    static let defaultChunkSize = 1 << 20

    /// Calls `body` with each chunk of the file at `url`; returns the number of bytes read.
    @discardableResult
    static func read(_ url: URL, chunkSize: Int = defaultChunkSize,
                     _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> UInt64 {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SigningError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total: UInt64 = 0
        while true {
            let count = Foundation.read(fd, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw SigningError.io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            total += UInt64(count)
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return total
    }

    /// The whole content of a small file; throws if it is longer than `limit` bytes.
    static func readAll(_ url: URL, limit: Int) throws -> Data {
        var data = Data()
        try read(url, chunkSize: 64 * 1024) { chunk in
            guard data.count + chunk.count <= limit else {
                throw SigningError.malformedSignature(line: nil, reason: Message("signing.reason.too_long", ["limit": .int(limit)]))
            }
            data.append(contentsOf: chunk)
        }
        return data
    }
}
