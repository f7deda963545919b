/// A batch's life: draft (rebuildable) → approved (frozen) → exported; or cancelled before export.
public enum BatchStatus: String, Sendable, Codable {
    case draft, approved, exported, cancelled

    public var vietnamese: String {
        switch self {
        case .draft: return "Dự thảo"
        case .approved: return "Đã duyệt"
        case .exported: return "Đã xuất tệp"
        case .cancelled: return "Đã hủy"
        }
    }
}
