import Foundation
// TEMPORARY stand-in until the signing worktree's AtomicFile lands; same API.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o600) throws {
        let w = try AtomicFileWriter(url: url, mode: mode)
        try w.write(data)
        try w.commit()
    }
}
public final class AtomicFileWriter {
    let url: URL; let tmp: URL; let fd: Int32; var done = false
    public init(url: URL, mode: mode_t = 0o600) throws {
        self.url = url
        tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        fd = open(tmp.path, O_CREAT | O_TRUNC | O_WRONLY, mode)
        if fd < 0 { throw CocoaError(.fileWriteNoPermission) }
    }
    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { p in
            var off = 0
            while off < p.count { let n = Foundation.write(fd, p.baseAddress! + off, p.count - off); if n < 0 { throw CocoaError(.fileWriteUnknown) }; off += n }
        }
    }
    public func commit() throws { fsync(fd); close(fd); done = true; rename(tmp.path, url.path) }
    public func abandon() { if !done { close(fd); unlink(tmp.path); done = true } }
}
