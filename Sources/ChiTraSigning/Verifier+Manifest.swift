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
                    message: result.sentence(for: manifestName) + " The manifest cannot be trusted."))
            }
        } catch {
            findings.append(ManifestFinding(
                kind: .manifestSignature, fileName: manifestName,
                message: "CANNOT VERIFY: \(manifestName): \(error)"))
        }

        let manifest: Manifest
        do {
            manifest = try Manifest.decode(try Data(contentsOf: url))
        } catch let SigningError.unsafeFileName(name) {
            findings.append(ManifestFinding(
                kind: .unsafeFileName, fileName: nil,
                message: "REFUSED: \(manifestName) lists \"\(name.prefix(100))\", which is not a plain file name (path escape); do not use this manifest and report it."))
            return findings
        } catch {
            findings.append(ManifestFinding(
                kind: .malformedManifest, fileName: manifestName,
                message: "MALFORMED: \(manifestName) cannot be read: \(error) Rebuild the manifest."))
            return findings
        }

        if let sum = Manifest.sum(manifest.files) {
            if sum != manifest.totals {
                findings.append(ManifestFinding(
                    kind: .totalsDiffer, fileName: manifestName,
                    message: "TOTALS DIFFER: \(manifestName) gives totals of \(manifest.totals.lineCount) lines and \(manifest.totals.controlSum) đồng, but its files add up to \(sum.lineCount) lines and \(sum.controlSum) đồng; do not send this batch, rebuild the manifest."))
            }
        } else {
            findings.append(ManifestFinding(
                kind: .totalsDiffer, fileName: manifestName,
                message: "TOTALS DIFFER: the files of \(manifestName) add up to more than can be counted; do not send this batch, rebuild the manifest."))
        }

        let directory = url.deletingLastPathComponent()
        for entry in manifest.files {
            let file = directory.appendingPathComponent(entry.name)
            guard FileManager.default.fileExists(atPath: file.path) else {
                findings.append(ManifestFinding(
                    kind: .missingFile, fileName: entry.name,
                    message: "MISSING FILE: \(entry.name) is listed in \(manifestName) but is not in \(directory.path); restore it or rebuild the batch."))
                continue
            }
            do {
                let (result, checked) = try check(file: file, keys: keys)
                let digest = try checked ?? FileDigest.compute(file)
                if digest.byteCount != entry.bytes || Hex.encode(digest.sha256) != entry.sha256 {
                    let size = digest.byteCount != entry.bytes
                        ? "it has \(digest.byteCount) bytes but the manifest lists \(entry.bytes)"
                        : "its SHA-256 differs from the manifest's"
                    findings.append(ManifestFinding(
                        kind: .changedFile, fileName: entry.name,
                        message: "CHANGED FILE: \(entry.name) does not match \(manifestName) (\(size)): the file was altered after the batch was made; do not send it."))
                }
                if !result.isValid {
                    findings.append(ManifestFinding(
                        kind: .fileSignature, fileName: entry.name, signature: result,
                        message: result.sentence(for: entry.name)))
                }
            } catch {
                findings.append(ManifestFinding(
                    kind: .fileSignature, fileName: entry.name,
                    message: "CANNOT VERIFY: \(entry.name): \(error)"))
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
                                    message: "CANNOT LIST: \(directory.path) cannot be read (\((error as NSError).localizedDescription)), so it is not known whether it holds files \(manifestName) does not list; do not send this folder.")]
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
                    message: "LEFTOVER TEMPORARY: \(shown) in \(directory.path) is a temporary file left by an interrupted export; it is not listed in \(manifestName). Run the export again (it removes it) or delete it, then verify again; do not send the folder as it is."))
            } else {
                var st = stat()
                let what = lstat(directory.appendingPathComponent(name).path, &st) == 0
                    ? ((st.st_mode & S_IFMT) == S_IFDIR ? "a folder " : (st.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link " : "")
                    : ""
                findings.append(ManifestFinding(
                    kind: .unlistedFile, fileName: name,
                    message: "UNLISTED FILE: \(what)\(shown) is in \(directory.path) but \(manifestName) does not list it, so a bank could be sent it with the batch; move it out of the folder (or find out who put it there), then verify again."))
            }
        }
        return findings
    }

    /// `.NAME.tmp-XXXXXX`: the temporary name ``AtomicFileWriter`` gives a file until it is renamed into place.
    public static func isInterruptedTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.range(of: #"^\..+\.tmp-[A-Za-z0-9]{6}$"#, options: .regularExpression) != nil
    }
}
