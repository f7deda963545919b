// NOTE for the merge: the legacy-encoding helper defines `SourceBytes` in ChiTraCore with its
// detector; keep theirs and delete this file.

/// What a roll file's bytes are: Unicode (UTF-8 or UTF-16, or an .xlsx), or single bytes that
/// are not UTF-8 (Windows-1258, TCVN3, VNI), given as Latin-1 strings until a column's encoding is decided.
public enum SourceBytes: String, Sendable, Codable { case unicode, singleByte }
