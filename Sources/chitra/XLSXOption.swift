import ChiTraCore
import Foundation

/// `--xlsx FILE`, checked before anything runs: an Excel workbook needs the `.xlsx` extension, and
/// must not overwrite the file a command reads.
enum XLSXOption {
    static func check(_ path: String, notTheInput input: String? = nil) throws {
        let url = URL(fileURLWithPath: path)
        guard url.pathExtension.lowercased() == "xlsx" else {
            throw MessageError("sheets.extension", ["file": .text(SafeText.echo(url.lastPathComponent, limit: 120))])
        }
        if let input, url.standardizedFileURL.resolvingSymlinksInPath().path
            == URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path {
            throw MessageError("sheets.same_as_input", ["file": .text(SafeText.echo(path, limit: 120))])
        }
    }
}
