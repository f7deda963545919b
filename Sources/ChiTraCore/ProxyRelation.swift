/// Relations that make the proxy a legal guardian, who needs no authorisation letter.
public enum ProxyRelation {
    public static let guardianKeys: Set<String> = ["người giám hộ", "giám hộ", "guardian"]
    public static func isGuardian(_ relation: String?) -> Bool {
        guard let r = relation else { return false }
        return guardianKeys.contains(VietnameseText.key(r))
    }
}
