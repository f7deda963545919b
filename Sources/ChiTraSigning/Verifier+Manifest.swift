import Foundation

extension Verifier {
    /// Verifies a batch manifest and every file it lists; an empty result means all is well.
    ///
    /// Checks: `manifest.json` against `manifest.json.sig`; the manifest parses and lists only
    /// plain file names (anything else is refused as a path escape and nothing is opened);
    /// the totals equal the sum of the files' figures; each listed file exists next to the
    /// manifest with the listed size and SHA-256; and each file's own `.sig` verifies.
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
        return findings
    }
}
