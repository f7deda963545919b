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
            case .missingRole: return WebError(.forbidden, "Tài khoản của bạn không có quyền làm việc này. Chi tiết: \(e.description)")
            default: return WebError(.forbidden, "Không thực hiện được: \(e.description)")
            }
        case let e as StoreError where e.message?.key == "store.busy":
            return WebError(.serviceUnavailable, "Kho dữ liệu đang bận (một lệnh khác đang ghi). Chờ một lát rồi thử lại; chưa có gì thay đổi.")
        default:
            return WebError(.badRequest, "Không thực hiện được, chưa có gì thay đổi. Chi tiết: \(String(describing: error))")
        }
    }
}
