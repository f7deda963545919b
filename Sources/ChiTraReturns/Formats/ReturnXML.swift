import ChiTraCore
import Foundation

/// The returns' use of `SafeXMLReader` (ChiTraCore): the same defences, refusals said as
/// `ReturnFileError`s in the words a bank file needs.
public enum ReturnXML {
    public static func prescan(_ url: URL, limits: XMLLimits) throws(ReturnFileError) {
        do { try SafeXMLReader.prescan(url, limits: limits) } catch { throw error.returnFileError }
    }

    public static func rootNamespace(_ url: URL, limits: XMLLimits) throws(ReturnFileError) -> String? {
        do { return try SafeXMLReader.rootNamespace(url, limits: limits) } catch { throw error.returnFileError }
    }

    public static func parse(_ url: URL, limits: XMLLimits, handler: XMLEventHandler) throws(ReturnFileError) {
        do { try SafeXMLReader.parse(url, limits: limits, handler: handler) } catch { throw error.returnFileError }
    }
}

extension SafeXMLFailure {
    /// The refusal in the words a bank file needs (`formats/messages/returns.json`).
    var returnFileError: ReturnFileError {
        let name = file
        switch kind {
        case .unreadable:
            return ReturnFileError(.unreadable, file: name, Message("returns.file.unreadable"))
        case .tooLarge(let size, let limit):
            return ReturnFileError(.tooLarge, file: name, Message("returns.file.too_large", ["size": .int(Int(size)), "limit": .int(Int(limit))]))
        case .notUTF8(let near):
            return ReturnFileError(.notUTF8, file: name, Message("returns.file.bad_utf8", ["byte": .int(Int(near))]))
        case .endsInsideCharacter:
            return ReturnFileError(.notUTF8, file: name, Message("returns.file.utf8_cut"))
        case .utf16or32:
            return ReturnFileError(.notUTF8, file: name, Message("returns.file.utf16"))
        case .doctype:
            return ReturnFileError(.doctypeRefused, file: name, Message("returns.file.doctype"))
        case .empty:
            return ReturnFileError(.emptyFile, file: name, Message("returns.file.empty"))
        case .tooDeep(let limit, let line):
            return ReturnFileError(.limitExceeded, file: name, Message("returns.xml.too_deep", ["depth": .int(limit), "line": .int(line)]))
        case .textTooLong(let limit, let line):
            return ReturnFileError(.limitExceeded, file: name, Message("returns.xml.text_too_long", ["bytes": .int(limit), "line": .int(line)]))
        case .declaresDTD:
            return ReturnFileError(.doctypeRefused, file: name, Message("returns.xml.dtd"))
        case .declaresEntity:
            return ReturnFileError(.doctypeRefused, file: name, Message("returns.xml.entity"))
        case .notWellFormed(let line, let detail):
            return ReturnFileError(.notWellFormed, file: name, Message("returns.xml.not_well_formed", ["line": .int(line), "detail": .text(detail)]))
        case .truncated(let line):
            return ReturnFileError(.notWellFormed, file: name, Message("returns.xml.unclosed", ["line": .int(line)]))
        }
    }
}
