import Foundation

/// Writes a whole file atomically: readers see either the old file or the complete new one.
///
/// The data goes to a temporary file in the destination's directory (mode 0600), which is
/// flushed with `fsync`, given its final mode, renamed over the destination, and the directory
/// is flushed too, so the rename survives a power cut.
///
/// ```swift
/// try AtomicFile.write(Data(xml.utf8), to: outDir.appending(path: "pain001-970405.xml"))
/// ```
public enum AtomicFile {
    /// Writes `data` to `url` atomically with permissions `mode` (default 0600).
    /// `syncingDirectory: false` leaves the directory's fsync to the caller (see ``AtomicFileWriter/commit(syncingDirectory:)``).
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o600, syncingDirectory: Bool = true) throws {
        let writer = try AtomicFileWriter(destination: url, mode: mode)
        do {
            try writer.write(data)
            try writer.commit(syncingDirectory: syncingDirectory)
        } catch {
            writer.abandon()
            throw error
        }
    }
}

/// Streams a file to disk atomically; see ``AtomicFile``.
///
/// Call ``write(_:)`` any number of times, then ``commit()``; or ``abandon()`` to delete the
/// temporary file. A writer dropped without commit abandons itself.
public final class AtomicFileWriter {
    /// Where the file will appear on ``commit()``.
    public let destination: URL
    /// Permissions the file gets on ``commit()``.
    public let mode: mode_t
    /// The temporary file, in the destination's directory.
    public let temporaryURL: URL
    private var fd: Int32
    private var finished = false

    /// Opens a temporary file (mode 0600) next to `destination`.
    ///
    /// A destination that is a symbolic link is refused: the rename would silently replace the
    /// link itself while whoever set it up expects the file it points to.
    public init(destination: URL, mode: mode_t = 0o600) throws {
        self.destination = destination
        self.mode = mode
        let directory = destination.deletingLastPathComponent()
        var st = stat()
        if lstat(destination.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
            throw SigningError.unsafePath(path: destination.path, reason: "it is a symbolic link; write to a real file name (nothing was written)")
        }
        var template = Array(directory.appendingPathComponent(".\(destination.lastPathComponent).tmp-XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SigningError.io(operation: "create a temporary file in", path: directory.path, errno: errno)
        }
        self.fd = fd
        self.temporaryURL = URL(fileURLWithPath: template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard fchmod(fd, 0o600) == 0 else {
            let code = errno
            close(fd)
            unlink(temporaryURL.path)
            throw SigningError.io(operation: "set permissions on", path: temporaryURL.path, errno: code)
        }
    }

    deinit {
        if !finished { abandon() }
    }

    /// Appends `data` to the temporary file.
    public func write(_ data: some ContiguousBytes) throws {
        try data.withUnsafeBytes { try write(bytes: $0) }
    }

    /// Appends raw bytes to the temporary file.
    public func write(bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "AtomicFileWriter used after commit or abandon")
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SigningError.io(operation: "write", path: temporaryURL.path, errno: errno)
            }
            offset += written
        }
    }

    /// Flushes the data, sets the mode, renames over the destination and flushes the directory.
    ///
    /// A writer of many files into one directory may pass `syncingDirectory: false` and flush the
    /// directory once (``syncDirectory(_:)``) before anything relies on the files being durable:
    /// each file is still whole or absent, only the rename may not survive a power cut until then.
    ///
    /// `replacing: false` never replaces an existing destination: the file is put in place with
    /// `link` (which fails if the name exists) and the temporary name removed; it throws
    /// ``SigningError/alreadyExists(path:)`` (the temporary file is left for ``abandon()``). On a
    /// file system without hard links it checks, then renames.
    public func commit(syncingDirectory: Bool = true, replacing: Bool = true) throws {
        precondition(!finished, "AtomicFileWriter used after commit or abandon")
        let tempPath = temporaryURL.path
        guard fsync(fd) == 0 else { throw SigningError.io(operation: "fsync", path: tempPath, errno: errno) }
        guard fchmod(fd, mode) == 0 else {
            throw SigningError.io(operation: "set permissions on", path: tempPath, errno: errno)
        }
        guard close(fd) == 0 else {
            let code = errno
            fd = -1
            throw SigningError.io(operation: "close", path: tempPath, errno: code)
        }
        fd = -1
        if replacing {
            guard rename(tempPath, destination.path) == 0 else {
                throw SigningError.io(operation: "rename into place", path: destination.path, errno: errno)
            }
        } else if link(tempPath, destination.path) == 0 {
            unlink(tempPath)
        } else {
            let code = errno
            if code == EEXIST { throw SigningError.alreadyExists(path: destination.path) }
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EXDEV else {
                throw SigningError.io(operation: "put into place", path: destination.path, errno: code)
            }
            var st = stat()
            guard lstat(destination.path, &st) != 0 else { throw SigningError.alreadyExists(path: destination.path) }
            guard rename(tempPath, destination.path) == 0 else {
                throw SigningError.io(operation: "rename into place", path: destination.path, errno: errno)
            }
        }
        finished = true
        if syncingDirectory { try Self.syncDirectory(destination.deletingLastPathComponent()) }
    }

    /// Closes and deletes the temporary file; the destination is left untouched.
    public func abandon() {
        guard !finished else { return }
        finished = true
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporaryURL.path)
    }

    /// `fsync` on a directory, so a rename in it is durable.
    public static func syncDirectory(_ directory: URL) throws {
        let dfd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw SigningError.io(operation: "open directory", path: directory.path, errno: errno) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw SigningError.io(operation: "fsync directory", path: directory.path, errno: errno) }
    }
}
