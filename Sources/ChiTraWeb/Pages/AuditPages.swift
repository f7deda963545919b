import ChiTraStore
import Hummingbird

/// Placeholder: filled by the Audit pages work.
enum AuditPages {
    static func register(_ routes: inout WebRoutes) {}
}
