import ChiTraStore
import Hummingbird

/// Placeholder: filled by the Returns pages work.
enum ReturnsPages {
    static func register(_ routes: inout WebRoutes) {}
}
