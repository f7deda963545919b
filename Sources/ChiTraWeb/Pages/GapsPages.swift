import ChiTraStore
import Hummingbird

/// Placeholder: filled by the Gaps pages work.
enum GapsPages {
    static func register(_ routes: inout WebRoutes) {}
}
