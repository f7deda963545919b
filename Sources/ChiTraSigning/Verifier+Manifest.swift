import ChiTraCore
import Foundation

extension Verifier {
    /// Verifies a batch manifest and every file it lists; an empty result means all is well.
    ///
    /// Checks: `manifest.json` against `manifest.json.sig`; the manifest parses and lists only
    /// plain file names (anything else is refused as a path escape and nothing is opened);
    /// the totals equal the sum of the files' figures; each listed file exists next to the
    /// manifest with the listed size and SHA-256; each file's own `.sig` verifies; and the folder
    /// holds nothing else (``unlistedEntries(in:manifestName:listed:)``).
    public static func verifyManifest(at url: URL, keys: KeyStore) -> [ManifestFinding] {
        var findings: [ManifestFinding] = []
        let manifestName = url.lastPathComponent

        do {
            let result = try verify(file: url, keys: keys)
            if !result.isValid {
                findings.append(ManifestFinding(
                    kind: .manifestSignature, fileName: manifestName, signature: result,
                    message: Message("signing.manifest.signature", ["result": .message(result.message(for: manifestName))]).text()))
            }
        } catch {
            findings.append(ManifestFinding(
                kind: .manifestSignature, fileName: manifestName,
                message: Message("signing.cannot_verify", ["file": .text(manifestName), "detail": .text("\(error)")]).text()))
        }

        let manifest: Manifest
        do {
            manifest = try Manifest.decode(try Data(contentsOf: url))
        } catch let SigningError.unsafeFileName(name) {
            findings.append(ManifestFinding(
                kind: .unsafeFileName, fileName: nil,
                message: Message("signing.manifest.unsafe_name", ["file": .text(manifestName), "name": .text(String(name.prefix(100)))]).text()))
            return findings
        } catch {
            findings.append(ManifestFinding(
                kind: .malformedManifest, fileName: manifestName,
                message: Message("signing.manifest.malformed", ["file": .text(manifestName), "detail": .text("\(error)")]).text()))
            return findings
        }

        if let sum = Manifest.sum(manifest.files) {
            if sum != manifest.totals {
                findings.append(ManifestFinding(
                    kind: .totalsDiffer, fileName: manifestName,
                    message: Message("signing.manifest.totals_differ", ["file": .text(manifestName), "lines": .int(manifest.totals.lineCount), "sum": .money(manifest.totals.controlSum),
                                                                       "files_lines": .int(sum.lineCount), "files_sum": .money(sum.controlSum)]).text()))
            }
        } else {
            findings.append(ManifestFinding(
                kind: .totalsDiffer, fileName: manifestName,
                message: Message("signing.manifest.totals_overflow", ["file": .text(manifestName)]).text()))
        }

        let directory = url.deletingLastPathComponent()
        for entry in manifest.files {
            let file = directory.appendingPathComponent(entry.name)
            guard FileManager.default.fileExists(atPath: file.path) else {
                findings.append(ManifestFinding(
                    kind: .missingFile, fileName: entry.name,
                    message: Message("signing.manifest.missing_file", ["file": .text(entry.name), "manifest": .text(manifestName), "folder": .text(directory.path)]).text()))
                continue
            }
            do {
                let (result, checked) = try check(file: file, keys: keys)
                let digest = try checked ?? FileDigest.compute(file)
                if digest.byteCount != entry.bytes || Hex.encode(digest.sha256) != entry.sha256 {
                    let size = digest.byteCount != entry.bytes
                        ? Message("signing.manifest.size_differs", ["actual": .int(Int(digest.byteCount)), "listed": .int(Int(entry.bytes))])
                        : Message("signing.manifest.sha_differs")
                    findings.append(ManifestFinding(
                        kind: .changedFile, fileName: entry.name,
                        message: Message("signing.manifest.changed_file", ["file": .text(entry.name), "manifest": .text(manifestName), "why": .message(size)]).text()))
                }
                if !result.isValid {
                    findings.append(ManifestFinding(
                        kind: .fileSignature, fileName: entry.name, signature: result,
                        message: result.sentence(for: entry.name)))
                }
            } catch {
                findings.append(ManifestFinding(
                    kind: .fileSignature, fileName: entry.name,
                    message: Message("signing.cannot_verify", ["file": .text(entry.name), "detail": .text("\(error)")]).text()))
            }
        }
        findings += unlistedEntries(in: directory, manifestName: manifestName, listed: manifest.files.map(\.name))
        return findings
    }

    /// What the folder of a manifest holds besides the manifest, its `.sig`, the listed files and
    /// their `.sig`s: each such entry (file, folder or link, hidden or not) is a finding, since
    /// whoever sends the folder could send it too. Hidden temporaries `.NAME.tmp-XXXXXX` (what an
    /// interrupted atomic write leaves) get their own kind and sentence.
    static func unlistedEntries(in directory: URL, manifestName: String, listed: [String]) -> [ManifestFinding] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            return [ManifestFinding(kind: .unlistedFile, fileName: nil,
                                    message: Message("signing.manifest.cannot_list", ["folder": .text(directory.path), "detail": .text((error as NSError).localizedDescription), "manifest": .text(manifestName)]).text())]
        }
        var expected: Set<String> = [manifestName, DetachedSignature.signatureURL(for: URL(fileURLWithPath: manifestName)).lastPathComponent]
        for name in listed {
            expected.insert(name)
            expected.insert(DetachedSignature.signatureURL(for: URL(fileURLWithPath: name)).lastPathComponent)
        }
        var findings: [ManifestFinding] = []
        for name in names.sorted() where !expected.contains(name) {
            let shown = SafeName.quoted(name)
            if isInterruptedTemporary(name) {
                findings.append(ManifestFinding(
                    kind: .leftoverTemporary, fileName: name,
                    message: Message("signing.manifest.leftover_temporary", ["name": .text(shown), "folder": .text(directory.path), "manifest": .text(manifestName)]).text()))
            } else {
                var st = stat()
                let mode = lstat(directory.appendingPathComponent(name).path, &st) == 0 ? st.st_mode & S_IFMT : 0
                let args: [String: MessageArg] = ["name": .text(shown), "folder": .text(directory.path), "manifest": .text(manifestName)]
                let message = mode == S_IFDIR ? Message("signing.manifest.unlisted_folder", args)
                    : mode == S_IFLNK ? Message("signing.manifest.unlisted_link", args) : Message("signing.manifest.unlisted_file", args)
                findings.append(ManifestFinding(kind: .unlistedFile, fileName: name, message: message.text()))
            }
        }
        return findings
    }

    /// `.NAME.tmp-XXXXXX`: the temporary name ``AtomicFileWriter`` gives a file until it is renamed into place.
    public static func isInterruptedTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.range(of: #"^\..+\.tmp-[A-Za-z0-9]{6}$"#, options: .regularExpression) != nil
    }
}
