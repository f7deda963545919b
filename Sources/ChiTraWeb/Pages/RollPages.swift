import ChiTraStore
import Hummingbird

/// Placeholder: filled by the Roll pages work.
enum RollPages {
    static func register(_ routes: inout WebRoutes) {}
}
