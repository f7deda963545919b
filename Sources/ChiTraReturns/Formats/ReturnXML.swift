import ChiTraCore
import Foundation

/// The returns' use of `SafeXMLReader` (ChiTraCore): the same defences, refusals said as
/// `ReturnFileError`s in the words a bank file needs.
enum ReturnXML {
    static func prescan(_ url: URL, limits: XMLLimits) throws(ReturnFileError) {
        do { try SafeXMLReader.prescan(url, limits: limits) } catch { throw error.returnFileError }
    }

    static func rootNamespace(_ url: URL, limits: XMLLimits) throws(ReturnFileError) -> String? {
        do { return try SafeXMLReader.rootNamespace(url, limits: limits) } catch { throw error.returnFileError }
    }

    static func parse(_ url: URL, limits: XMLLimits, handler: XMLEventHandler) throws(ReturnFileError) {
        do { try SafeXMLReader.parse(url, limits: limits, handler: handler) } catch { throw error.returnFileError }
    }
}

extension SafeXMLFailure {
    /// The refusal as the returns have always said it.
    var returnFileError: ReturnFileError {
        let name = file
        switch kind {
        case .unreadable:
            return ReturnFileError(.unreadable, file: name, "cannot be read; check the path and permissions.")
        case .tooLarge(let size, let limit):
            return ReturnFileError(.tooLarge, file: name, "is \(size) bytes, larger than the \(limit)-byte limit for a return file; check that this is the right file, or raise the limit.")
        case .notUTF8(let near):
            return ReturnFileError(.notUTF8, file: name, "is not valid UTF-8 (bad bytes near byte \(near)); ask the bank for the UTF-8 file ISO 20022 requires.")
        case .endsInsideCharacter:
            return ReturnFileError(.notUTF8, file: name, "is not valid UTF-8 (it ends inside a character); ask the bank for the UTF-8 file ISO 20022 requires.")
        case .utf16or32:
            return ReturnFileError(.notUTF8, file: name, "is not UTF-8 (UTF-16 or UTF-32 found); ask the bank for the UTF-8 file ISO 20022 requires.")
        case .doctype:
            return ReturnFileError(.doctypeRefused, file: name, "contains a DOCTYPE or ENTITY declaration, which ISO 20022 messages never need and which can be used to attack the reader (entity expansion); the file was not parsed. Ask the bank for the file without a DTD.")
        case .empty:
            return ReturnFileError(.emptyFile, file: name, "is empty.")
        case .tooDeep(let limit, let line):
            return ReturnFileError(.limitExceeded, file: name, "nests elements more than \(limit) deep near line \(line); no payment status message does, so the file was not read.")
        case .textTooLong(let limit, let line):
            return ReturnFileError(.limitExceeded, file: name, "has an element text longer than \(limit) bytes near line \(line); no payment status message does, so the file was not read.")
        case .declaresDTD:
            return ReturnFileError(.doctypeRefused, file: name, "declares a DTD, which is refused.")
        case .declaresEntity:
            return ReturnFileError(.doctypeRefused, file: name, "declares an entity, which is refused.")
        case .notWellFormed(let line, let detail):
            return ReturnFileError(.notWellFormed, file: name, "is not well-formed XML near line \(line) (\(detail)); the file may be truncated or damaged, ask the bank to send it again.")
        case .truncated(let line):
            return ReturnFileError(.notWellFormed, file: name, "ends before its root element is closed (near line \(line)); the file is truncated, ask the bank to send it again.")
        }
    }
}
