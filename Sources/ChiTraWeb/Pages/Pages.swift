import ChiTraCore
import ChiTraStore
import Foundation
import Hummingbird
import Mustache

/// The HTML pages: Mustache templates from `Templates/` (values escaped by default; `{{{ }}}` is
/// used only for the page body, itself a rendered template), inside one layout with the
/// navigation a person's roles open.
public enum Pages {
    /// The templates, read once from the target's resources.
    static let library: MustacheLibrary = {
        guard let dir = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            fatalError("ChiTraWeb's Templates resource folder is missing from the build")
        }
        var lib = MustacheLibrary()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for name in names where name.hasSuffix(".mustache") {
            let text = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
            do { try lib.register(text, named: String(name.dropLast(".mustache".count))) }
            catch { fatalError("template \(name) does not parse: \(error)") }
        }
        return lib
    }()

    static var staticFolder: URL {
        guard let dir = Bundle.module.url(forResource: "Static", withExtension: nil) else {
            fatalError("ChiTraWeb's Static resource folder is missing from the build")
        }
        return dir
    }

    /// One entry of the navigation bar.
    struct NavItem: MustacheParent {
        let label: String; let href: String; let current: Bool
        func child(named name: String) -> Any? {
            switch name { case "label": label; case "href": href; case "current": current; default: nil }
        }
    }

    /// The navigation: each entry only for the roles its pages allow.
    static func navigation(for user: WebUser?, current: String) -> [NavItem] {
        guard let user else { return [] }
        let all: [(String, String, Access)] = [
            ("Tháng này", "/", .anyAccount),
            ("Danh sách", "/roll", WebRoutes.rollAccess),
            ("Đối tượng", "/person", WebRoutes.personAccess),
            ("Bảng chi", "/batches", WebRoutes.batchAccess),
            ("Kết quả chi trả", "/returns", WebRoutes.returnsAccess),
            ("Rà soát", "/gaps", WebRoutes.gapsAccess),
            ("Nhật ký", "/audit", WebRoutes.auditAccess),
        ]
        return all.filter { $0.2.allows(user.roles) }.map {
            NavItem(label: $0.0, href: $0.1, current: $0.1 == "/" ? current == "/" : current.hasPrefix($0.1))
        }
    }

    struct Layout: MustacheParent {
        let title: String
        let body: String
        let nav: [NavItem]
        let signedIn: Bool
        let userName: String
        let userLogin: String
        let userRoles: String
        let csrf: String
        let notice: String?
        let today: String

        /// Looked up by name (not through Mirror): the layout is rendered on every request.
        func child(named name: String) -> Any? {
            switch name {
            case "title": title
            case "body": body
            case "nav": nav
            case "signedIn": signedIn
            case "userName": userName
            case "userLogin": userLogin
            case "userRoles": userRoles
            case "csrf": csrf
            case "notice": notice.map { $0 as Any }
            case "today": today
            default: nil
            }
        }
    }

    /// A whole page: `template` rendered with `model`, inside the layout.
    public static func page(_ template: String, _ model: Any, title: String, user: WebUser?, path: String,
                            notice: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        page(body: render(template, model), title: title, user: user, path: path, notice: notice, status: status)
    }

    /// A page template rendered with its model (escaped by default), without the layout: for a
    /// body that is cached and later given to ``page(body:title:user:path:notice:status:)``.
    static func render(_ template: String, _ model: Any) -> String {
        library.render(model, withTemplate: template) ?? "<p>Thiếu mẫu trang \(escape(template)).</p>"
    }

    /// A whole page around a `body` that ``render(_:_:)`` made (never raw text from elsewhere).
    static func page(body: String, title: String, user: WebUser?, path: String,
                     notice: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let layout = Layout(title: title, body: body, nav: navigation(for: user, current: path), signedIn: user != nil,
                            userName: user?.account.fullName ?? "", userLogin: user?.account.username ?? "",
                            userRoles: user?.roles.map(\.vietnamese).joined(separator: ", ") ?? "",
                            csrf: user?.csrfToken ?? "", notice: notice, today: CivilDate.today().vietnamese)
        let html = library.render(layout, withTemplate: "layout") ?? body
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    struct ErrorModel { let status: Int; let heading: String; let message: String; let signedIn: Bool }

    /// A refusal, in Vietnamese, with what to do.
    public static func errorPage(status: HTTPResponse.Status, message: String, user: WebUser?) -> Response {
        page("error", ErrorModel(status: status.code, heading: statusHeading(status), message: message, signedIn: user != nil),
             title: statusHeading(status), user: user, path: "", status: status)
    }

    static func statusHeading(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 403: "Không có quyền"
        case 404: "Không tìm thấy"
        case 413: "Tệp quá lớn"
        case 503: "Đang bận"
        case 500...: "Lỗi máy chủ"
        default: "Không thực hiện được"
        }
    }

    static func statusSentence(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "Trang này không có. Dùng các mục trên thanh điều hướng."
        case 405: "Trang này không nhận yêu cầu kiểu này."
        case 413: "Nội dung gửi lên quá lớn."
        default: "Yêu cầu không thực hiện được."
        }
    }

    /// Said above a page shown from figures made just before the latest change in the store.
    static let updatingNotice = "Số liệu đang được cập nhật sau thay đổi mới nhất (ví dụ một tệp kết quả vừa nhập); trang này là số liệu ngay trước thay đổi đó. Tải lại trang sau ít giây."

    /// 303 See Other to `location` (after a form post: reloading does not post again).
    public static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// HTML-escapes text placed into HTML built outside a template (rare: the SVG chart's labels).
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// Formats for pages.
public enum Show {
    /// "1.250.000 đ"
    public static func money(_ amount: Int64) -> String { Money.vietnamese(amount) + " đ" }
    /// A store timestamp (UTC) as Vietnam time: "28/11/2026 16:05".
    public static func time(_ stored: String?) -> String {
        guard let stored, let d = Timestamp.parse(stored) else { return stored ?? "" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "vi_VN")
        f.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        f.dateFormat = "dd/MM/yyyy HH:mm"
        return f.string(from: d)
    }
}
