import ChiTraCore
import Foundation

/// An error from signing, key handling or verification.
///
/// Every description is a full sentence saying what went wrong and what to do next.
/// No description ever contains key material: OpenSSL failures carry only the operation
/// name and OpenSSL's own reason text, and key-file problems name the file, never its content.
public enum SigningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An OpenSSL call failed; `operation` names the call, `reason` is OpenSSL's reason text.
    case openSSL(operation: String, reason: String)
    /// A key id does not match `[A-Za-z0-9._-]{1,40}`.
    case invalidKeyID(String)
    /// `create` was asked for while an active key exists.
    case activeKeyExists(String)
    /// A key with this id is already in the keyring.
    case duplicateKeyID(String)
    /// The keyring has no active key (nothing has been created yet).
    case noActiveKey(directory: String)
    /// The keyring has no key with this id.
    case unknownKey(String)
    /// The active key cannot be retired.
    case cannotRetireActiveKey(String)
    /// A retired key was asked for signing or verification.
    case retiredKey(String)
    /// A key file or the key directory is readable or writable by others.
    case insecurePermissions(path: String, mode: mode_t, required: mode_t)
    /// A key file does not hold exactly 64 hex characters, or does not match its check value.
    case malformedKeyFile(path: String, reason: String)
    /// `keyring.json` cannot be read.
    case malformedKeyring(path: String, reason: String)
    /// A `.sig` file is not a valid CHITRA-SIG-1 signature; `line` is 1-based when known.
    /// The reason is a catalogue message (a clerk reads it when a return file is refused).
    case malformedSignature(line: Int?, reason: Message)
    /// A manifest cannot be read or is not valid.
    case malformedManifest(reason: String)
    /// A file name that is not a plain name (contains `/`, is `..`, …) was found where a plain name is required.
    case unsafeFileName(String)
    /// A system call failed on a file.
    case io(operation: String, path: String, errno: Int32)
    /// A file or folder ChiTra was asked to write is refused (a symbolic link, a folder anyone may write to, …); `reason` says why and what to do.
    case unsafePath(path: String, reason: String)
    /// A file that must not be replaced already exists.
    case alreadyExists(path: String)

    public var description: String {
        switch self {
        case let .openSSL(operation, reason):
            return "OpenSSL failed in \(operation): \(reason). Check that OpenSSL 3 (libcrypto) is installed correctly."
        case let .invalidKeyID(id):
            return "The key id \"\(id.prefix(60))\" is not valid: use 1 to 40 characters from A-Z, a-z, 0-9, '.', '_' and '-'."
        case let .activeKeyExists(id):
            return "An active key (\(id)) already exists: use `chitra keys rotate` to replace it."
        case let .duplicateKeyID(id):
            return "A key with id \(id) already exists in the keyring: choose another id."
        case let .noActiveKey(directory):
            return "There is no active key in \(directory): create one with `chitra keys create`."
        case let .unknownKey(id):
            return "There is no key with id \(id) in the keyring: check the id with `chitra keys list`."
        case let .cannotRetireActiveKey(id):
            return "Key \(id) is the active key and cannot be retired: rotate to a new key first with `chitra keys rotate`."
        case let .retiredKey(id):
            return "Key \(id) is retired and no longer accepted."
        case let .insecurePermissions(path, mode, required):
            let chmod = String(required, radix: 8)
            return "\(path) has mode \(String(mode & 0o7777, radix: 8)), which lets other users read it; run `chmod \(chmod) \(path)` and try again."
        case let .malformedKeyFile(path, reason):
            return "The key file \(path) is not usable: \(reason)."
        case let .malformedKeyring(path, reason):
            return "The keyring \(path) cannot be read: \(reason). Restore it from backup."
        case let .malformedSignature(line, reason):
            if let line {
                return "The signature is malformed at line \(line): \(reason.text(in: .en))."
            }
            return "The signature is malformed: \(reason.text(in: .en))."
        case let .malformedManifest(reason):
            return "The manifest is malformed: \(reason)."
        case let .unsafeFileName(name):
            return "The file name \"\(name.prefix(100))\" is refused: only plain names without '/' or '..' are allowed (path escape)."
        case let .io(operation, path, code):
            return "Could not \(operation) \(path): \(String(cString: strerror(code)))."
        case let .unsafePath(path, reason):
            return "\(path) is refused: \(reason)."
        case let .alreadyExists(path):
            return "\(path) already exists and was left as it is."
        }
    }
}

extension SigningError {
    /// An `.openSSL` error carrying the reason of the oldest queued OpenSSL error, and clears the queue.
    static func fromOpenSSL(_ operation: String) -> SigningError {
        let reason = OpenSSLErrorQueue.drain()
        return .openSSL(operation: operation, reason: reason)
    }
}
