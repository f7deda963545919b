import ChiTraCore
import ChiTraStore
import Hummingbird

/// A refusal a person reads: status and a Vietnamese sentence saying what to do.
public struct WebError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    public init(_ status: HTTPResponse.Status, _ message: String) { self.status = status; self.message = message }

    static func notFound(_ what: String) -> WebError { WebError(.notFound, "Không tìm thấy \(what).") }
    static func badRequest(_ what: String) -> WebError { WebError(.badRequest, what) }

    /// Any error a use case threw, as the page shows it.
    static func from(_ error: any Error) -> WebError {
        switch error {
        case let e as WebError: return e
        case let e as IdentityError:
            switch e {
            case .missingRole: return WebError(.forbidden, Message("web.error.missing_role", ["detail": .text(e.description)]).text())
            default: return WebError(.forbidden, Message("web.error.refused", ["detail": .text(e.description)]).text())
            }
        case let e as StoreError where e.message?.key == "store.busy":
            return WebError(.serviceUnavailable, Message("web.error.busy").text())
        default:
            return WebError(.badRequest, Message("web.error.failed", ["detail": .text(String(describing: error))]).text())
        }
    }
}
