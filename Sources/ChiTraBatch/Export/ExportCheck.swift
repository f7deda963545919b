import ChiTraSigning
import ChiTraStore
import Foundation

extension BatchExporter {
    /// What `chitra batch export` and the web's export do: the folder is checked before anything
    /// in it is touched (the export checks it again), the hidden temporaries an interrupted export
    /// left are removed, then the batch is exported. Returns the export and how many temporaries
    /// were removed.
    public func exportClearingInterrupted(batchID: Int64, to dir: URL, by actor: Actor) throws -> (summary: ExportSummary, removedTemporaries: Int) {
        try OutputFolder.checkIfPresent(dir)
        let stale = OutputFolder.removeInterruptedTemporaries(in: dir)
        return (try export(batchID: batchID, to: dir, by: actor), stale)
    }
}

/// What `chitra verify manifest.json --db STORE` checks, as data: the manifest against its
/// signature, every file it lists against the manifest and its own signature, nothing else in the
/// folder, and the batch's lines in the store against the approval sealed by its checker.
public struct ExportCheck: Sendable {
    public struct File: Sendable {
        public var name: String
        public var institution: String
        public var lineCount: Int
        public var controlSum: Int64
        public var bytes: UInt64
        /// What is wrong with this file (empty: it matches the manifest and its signature).
        public var findings: [ManifestFinding]
        public var ok: Bool { findings.isEmpty }
    }
    public var folder: URL
    public var manifest: Manifest?
    /// The manifest's own signature (nil when the manifest is missing).
    public var manifestSignature: VerificationResult?
    public var files: [File]
    /// Every finding (`Verifier.verifyManifest`), including those about no listed file.
    public var findings: [ManifestFinding]
    /// The lines in the store differ from the sealed approval, or the manifest from the seal.
    public var approvalProblems: [String]
    public var ok: Bool { manifest != nil && findings.isEmpty && approvalProblems.isEmpty }

    /// The check of an export folder; nil when it holds no manifest.
    public static func run(_ db: AppDatabase, batchID: Int64, folder: URL, keys: KeyStore) throws -> ExportCheck? {
        let manifestURL = folder.appendingPathComponent(Manifest.fileName)
        guard FileManager.default.fileExists(atPath: manifestURL.path) else { return nil }
        let findings = Verifier.verifyManifest(at: manifestURL, keys: keys)
        let manifest = try? Manifest.decode(Data(contentsOf: manifestURL))
        let signature = try? Verifier.verify(file: manifestURL, keys: keys)
        let files = (manifest?.files ?? []).map { e in
            File(name: e.name, institution: e.institution, lineCount: e.lineCount, controlSum: e.controlSum, bytes: e.bytes,
                 findings: findings.filter { $0.fileName == e.name })
        }
        var problems: [String] = []
        if let manifest {
            if manifest.batchId != batchID {
                problems.append("the folder holds the export of batch #\(manifest.batchId), not of #\(batchID)")
            } else {
                problems = try db.writer.read {
                    try ApprovalSeal.checkExport($0, batchID: batchID, manifestSeal: manifest.approvalSeal, storePath: "the store")
                }
            }
        }
        return ExportCheck(folder: folder, manifest: manifest, manifestSignature: signature, files: files, findings: findings,
                           approvalProblems: problems)
    }

    /// The files a download carries: the manifest, its signature, each listed file and its signature.
    public var downloadNames: [String] {
        var names = [Manifest.fileName, DetachedSignature.signatureURL(for: URL(fileURLWithPath: Manifest.fileName)).lastPathComponent]
        for f in files {
            names.append(f.name)
            names.append(DetachedSignature.signatureURL(for: URL(fileURLWithPath: f.name)).lastPathComponent)
        }
        return names
    }
}
