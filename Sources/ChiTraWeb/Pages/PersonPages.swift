import ChiTraStore
import Hummingbird

/// Placeholder: filled by the Person pages work.
enum PersonPages {
    static func register(_ routes: inout WebRoutes) {}
}
