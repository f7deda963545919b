import Foundation
import Hummingbird

/// A `multipart/form-data` upload, streamed to files on disk as it arrives, under a size limit.
/// Text fields (the CSRF token among them) are kept in memory, at most 64 KiB in all; each file
/// part goes to its own 0600 file in a fresh folder, which ``discard()`` removes.
public struct UploadedForm: Sendable {
    public struct File: Sendable {
        public let field: String
        /// The name the browser sent, reduced to its last path component (never used as a path as sent).
        public let filename: String
        public let url: URL
        public let size: Int
    }
    public let fields: FormFields
    public let files: [File]
    public let folder: URL

    public func files(named field: String) -> [File] { files.filter { $0.field == field && $0.size > 0 } }

    public func discard() { try? FileManager.default.removeItem(at: folder) }
}

struct UploadReceiver {
    /// The largest upload taken (a province's roll of 100,000 lines is about 25 MB).
    var limit: Int
    var uploadsRoot: URL

    func receive(_ request: Request) async throws -> UploadedForm {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data"), let boundary = Self.boundary(type) else {
            throw WebError(.unsupportedMediaType, "Tệp phải được gửi từ biểu mẫu tải lên của trang.")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw WebError(.contentTooLarge, Self.tooLarge(limit))
        }
        let folder = uploadsRoot.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var parser = MultipartParser(boundary: boundary, folder: folder)
        var total = 0
        do {
            for try await buffer in request.body {
                total += buffer.readableBytes
                if total > limit { throw WebError(.contentTooLarge, Self.tooLarge(limit)) }
                try parser.feed(buffer.readableBytesView)
            }
            try parser.finish()
        } catch {
            parser.closeFile()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        return UploadedForm(fields: FormFields(parser.fields), files: parser.files, folder: folder)
    }

    static func tooLarge(_ limit: Int) -> String {
        "Tệp quá lớn: tối đa \(limit / (1024 * 1024)) MB một lần tải. Chưa có gì được nhập; chia tệp nhỏ hơn hoặc dùng lệnh chitra trên máy chủ."
    }

    static func boundary(_ contentType: String) -> String? {
        for part in contentType.split(separator: ";") {
            let p = part.trimmingCharacters(in: .whitespaces)
            if p.lowercased().hasPrefix("boundary=") {
                var b = String(p.dropFirst("boundary=".count))
                if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
                return (1...70).contains(b.utf8.count) ? b : nil
            }
        }
        return nil
    }
}

/// An incremental multipart/form-data parser (RFC 7578): headers of each part in memory, file
/// bodies written straight to disk, holding back only what could be the start of a boundary.
struct MultipartParser {
    enum State { case preamble, headers, body, done }
    private let delimiter: [UInt8]       // "\r\n--" + boundary
    private let folder: URL
    private var state = State.preamble
    private var pending: [UInt8] = []
    private var partName = ""
    private var partFilename: String?
    private var fieldBytes: [UInt8] = []
    private var fieldTotal = 0
    private var handle: FileHandle?
    private var fileURL: URL?
    private var fileSize = 0
    private(set) var fields: [String: String] = [:]
    private(set) var files: [UploadedForm.File] = []

    init(boundary: String, folder: URL) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.folder = folder
        pending = Array("\r\n".utf8)  // so the first boundary matches the same delimiter
    }

    mutating func feed<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        try process()
    }

    mutating func finish() throws {
        try process()
        guard state == .done else { throw WebError.badRequest("Tệp tải lên bị cắt ngang (kết nối bị ngắt?). Chưa có gì được nhập; tải lại.") }
    }

    mutating func closeFile() { try? handle?.close(); handle = nil }

    private mutating func process() throws {
        while true {
            switch state {
            case .done:
                pending.removeAll()
                return
            case .preamble:
                guard let i = find(delimiter, in: pending) else {
                    if pending.count > delimiter.count { pending.removeFirst(pending.count - delimiter.count) }
                    return
                }
                pending.removeFirst(i + delimiter.count)
                state = .headers
            case .headers:
                // After a delimiter: "--" ends the body, else CRLF then the part's headers up to CRLFCRLF.
                if pending.count < 2 { return }
                if pending[0] == UInt8(ascii: "-") && pending[1] == UInt8(ascii: "-") { state = .done; continue }
                guard let end = find(Array("\r\n\r\n".utf8), in: pending) else {
                    if pending.count > 16 * 1024 { throw WebError.badRequest("Phần đầu của tệp tải lên không hợp lệ.") }
                    return
                }
                let text = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end + 4)
                try startPart(headers: text)
                state = .body
            case .body:
                if let i = find(delimiter, in: pending) {
                    try write(pending[0..<i])
                    pending.removeFirst(i + delimiter.count)
                    try endPart()
                    state = .headers
                } else {
                    // Keep what could be the beginning of the delimiter.
                    let keep = min(pending.count, delimiter.count - 1)
                    let cut = pending.count - keep
                    if cut > 0 { try write(pending[0..<cut]); pending.removeFirst(cut) }
                    return
                }
            }
        }
    }

    private mutating func startPart(headers: String) throws {
        partName = ""; partFilename = nil; fieldBytes = []
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for item in line.split(separator: ";").dropFirst() {
                let kv = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                var v = String(kv[1]); if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                switch kv[0].lowercased() { case "name": partName = v; case "filename": partFilename = v; default: break }
            }
        }
        if let name = partFilename {
            // Only the last path component, only characters safe in a file name.
            let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
            let safe = String(base.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }.prefix(100).map(Character.init))
            let clean = safe.isEmpty || safe.hasPrefix(".") ? "tep-tai-len" : safe
            partFilename = clean
            let url = folder.appendingPathComponent("\(files.count + 1)-\(clean)")
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let h = FileHandle(forWritingAtPath: url.path) else {
                throw WebError(.internalServerError, "Không lưu được tệp tải lên trên máy chủ (thư mục tạm).")
            }
            handle = h; fileURL = url; fileSize = 0
        }
    }

    private mutating func write(_ bytes: ArraySlice<UInt8>) throws {
        guard !bytes.isEmpty else { return }
        if let handle {
            try handle.write(contentsOf: bytes)
            fileSize += bytes.count
        } else {
            fieldTotal += bytes.count
            if fieldTotal > 64 * 1024 { throw WebError(.contentTooLarge, "Các ô của biểu mẫu quá dài.") }
            fieldBytes.append(contentsOf: bytes)
        }
    }

    private mutating func endPart() throws {
        if let h = handle, let url = fileURL {
            try h.synchronize(); try h.close(); handle = nil
            files.append(.init(field: partName, filename: partFilename ?? "", url: url, size: fileSize))
        } else if !partName.isEmpty {
            fields[partName] = String(decoding: fieldBytes, as: UTF8.self)
        }
    }

    private func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count, let first = needle.first else { return nil }
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
