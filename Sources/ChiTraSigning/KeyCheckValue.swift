/// The key check value (KCV) scheme.
public enum KeyCheckValue {
    /// The fixed ASCII string MACed to derive a KCV.
    public static let input = "CHITRA-KCV-V1"
    /// Number of MAC bytes kept (12 hex digits).
    public static let byteCount = 6
}
