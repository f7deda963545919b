import Foundation

/// The folder a batch export writes the files a bank or the post office receives.
///
/// Refused, before anything is written: a folder that is a symbolic link (the files would land
/// wherever it points), one that every user of the machine may write to (mode `o+w`: anyone
/// could add, swap or remove a payout file between the export and the sending; a sticky bit does
/// not stop them adding one), anything that is not a folder, and a folder holding a symbolic
/// link (a file the export writes or one sent along with them must be a real file).
public enum OutputFolder {
    /// Creates `directory` (mode 0700, with its parents) when it does not exist, then ``check(_:)``s it.
    public static func prepare(_ directory: URL) throws {
        let path = plainPath(directory)
        var st = stat()
        if lstat(path, &st) != 0 {
            guard errno == ENOENT else { throw SigningError.io(operation: "look at", path: path, errno: errno) }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SigningError.unsafePath(path: path, reason: "the folder cannot be created (\((error as NSError).localizedDescription)); nothing was written")
            }
        }
        try check(directory)
    }

    /// ``check(_:)`` when something exists at `directory` (even a dangling link); nothing when it does not.
    public static func checkIfPresent(_ directory: URL) throws {
        var st = stat()
        if lstat(plainPath(directory), &st) == 0 { try check(directory) }
    }

    /// Refuses a symbolic link, a non-folder, a folder anyone may write to, or one holding a symbolic link.
    public static func check(_ directory: URL) throws {
        let path = plainPath(directory)
        var st = stat()
        guard lstat(path, &st) == 0 else { throw SigningError.io(operation: "look at", path: path, errno: errno) }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { " (to \(SafeName.quoted($0)))" } ?? ""
            throw SigningError.unsafePath(path: path, reason: "it is a symbolic link\(target), not a folder; export into a real folder (nothing was written)")
        default:
            throw SigningError.unsafePath(path: path, reason: "it is not a folder; nothing was written")
        }
        if st.st_mode & S_IWOTH != 0 {
            throw SigningError.unsafePath(path: path, reason: "every user of this machine may write to it (mode \(String(st.st_mode & 0o7777, radix: 8))), so a payout file could be added or changed before it is sent; run `chmod o-w \(path)` or export into a folder of your own (nothing was written)")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw SigningError.io(operation: "list the folder", path: path, errno: Int32((error as NSError).code))
        }
        for name in names.sorted() {
            var entry = stat()
            if lstat(path + "/" + name, &entry) == 0 && (entry.st_mode & S_IFMT) == S_IFLNK {
                throw SigningError.unsafePath(path: path, reason: "it holds \(SafeName.quoted(name)), a symbolic link: every file of an export must be a real file in the folder; remove the link (nothing was written)")
            }
        }
    }

    /// Deletes the hidden `.NAME.tmp-XXXXXX` files an export killed mid-way leaves (AtomicFileWriter's
    /// temporaries: never listed in a manifest, never renamed into place). Returns how many.
    public static func removeInterruptedTemporaries(in directory: URL) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names where Verifier.isInterruptedTemporary(name) {
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }

    /// The path without trailing slashes (`lstat("link/")` would follow the link).
    static func plainPath(_ url: URL) -> String {
        var path = url.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

/// A file name as it may be shown: control characters escaped, at most 100 characters.
enum SafeName {
    static func quoted(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars.prefix(100) {
            if scalar.value < 0x20 || scalar.value == 0x7f { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return "\"" + out + (name.unicodeScalars.count > 100 ? "…" : "") + "\""
    }
}
