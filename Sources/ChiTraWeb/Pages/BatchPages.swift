import ChiTraStore
import Hummingbird

/// Placeholder: filled by the Batch pages work.
enum BatchPages {
    static func register(_ routes: inout WebRoutes) {}
}
