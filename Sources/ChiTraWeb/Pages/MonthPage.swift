import ChiTraCore
import ChiTraStore
import Foundation
import Hummingbird

/// "Tháng này": where the cycle stands for the month being paid and the next month's list,
/// the legal deadlines (Decree 20/2021 Art. 34: the list for M+1 before the 25th of M; the
/// paying organisation's report before the 20th), and the next thing to do.
enum MonthPage {
    struct Step { let label: String; let done: Bool; let detail: String; let href: String? }
    struct Card { let heading: String; let deadline: String; let late: Bool; let steps: [Step] }
    struct Model {
        let today: String
        let cards: [Card]
        let nextAction: String
        let nextHref: String?
        let roll: String
    }

    static func register(_ routes: inout WebRoutes) {
        let env = routes.env
        routes.page("/", .anyAccount) { request, _, user in
            let today = CivilDate.today()
            let model = try await Offload.run { try build(env.db, today: today) }
            return Pages.page("month", model, title: "Tháng này", user: user, path: "/")
        }
    }

    static func build(_ db: AppDatabase, today: CivilDate) throws -> Model {
        let m = today.yearMonth
        let current = try CycleQueries.month(db, period: m.description)
        let next = try CycleQueries.month(db, period: m.next.description)
        let roll = try CycleQueries.latestRollImport(db)

        func deadline(day: Int, of month: YearMonth, what: String) -> (String, Bool) {
            let due = CivilDate(year: month.year, month: month.month, day: day)!
            let days = today.days(until: due)
            let when = days > 0 ? "còn \(days) ngày" : days == 0 ? "hôm nay là hạn cuối" : "đã quá hạn \(-days) ngày"
            return ("\(what) trước ngày \(due.vietnamese) (\(when)).", days < 0)
        }

        func batchSteps(_ month: CycleQueries.Month, returns: Bool) -> [Step] {
            guard let b = month.batches.first(where: { !$0.supplementary }) ?? month.batches.first else {
                return [Step(label: "Lập bảng chi", done: false, detail: "Chưa có bảng chi tháng \(vi(month.period)).", href: "/batches")]
            }
            let link = "/batches/\(b.id)"
            var steps = [
                Step(label: "Lập bảng chi", done: true, detail: "Bảng chi số \(b.id): \(Show.number(b.lineCount)) dòng, \(Show.money(b.controlSum)) (lập \(Show.time(b.builtAt))).", href: link),
                Step(label: "Duyệt", done: b.approvedAt != nil, detail: b.approvedAt.map { "Đã duyệt \(Show.time($0))." } ?? "Chờ người duyệt xem các thay đổi và duyệt.", href: link),
                Step(label: "Xuất tệp chi trả", done: b.exportedAt != nil, detail: b.exportedAt.map { "Đã xuất, ký số \(Show.time($0))." } ?? "Chưa xuất tệp gửi ngân hàng, bưu điện.", href: link),
            ]
            if returns {
                let answered = b.paid + b.failed + b.pending
                steps.append(Step(label: "Nhận kết quả chi trả", done: b.exportedAt != nil && b.awaiting == 0,
                                  detail: b.returnFiles == 0 ? "Chưa nhận tệp kết quả nào." :
                                      "\(b.returnFiles) tệp; \(Show.number(answered))/\(Show.number(b.lineCount)) dòng đã có kết quả (\(Show.number(b.paid)) đã chi, \(Show.number(b.failed)) không chi được, \(Show.number(b.pending)) đang chờ).",
                                  href: "/returns"))
                steps.append(Step(label: "Đối soát", done: b.exportedAt != nil && b.awaiting == 0 && b.pending == 0 && b.openExceptions == 0,
                                  detail: b.openExceptions > 0 ? "\(b.openExceptions) trường hợp ngoại lệ chờ xử lý." : (b.awaiting > 0 ? "Còn \(Show.number(b.awaiting)) dòng chưa có kết quả." : "Không có ngoại lệ mở."),
                                  href: "/returns/reconcile/\(b.id)"))
            }
            return steps
        }

        let (listDue, listLate) = deadline(day: 25, of: m, what: "Gửi danh sách và tiền tháng \(m.next.vietnamese) cho tổ chức dịch vụ chi trả")
        let (returnsDue, returnsLate) = deadline(day: 20, of: m, what: "Tổ chức dịch vụ chi trả báo kết quả tháng \(m.vietnamese)")
        let nextSteps = batchSteps(next, returns: false)
        let currentSteps = batchSteps(current, returns: true)
        let cards = [
            Card(heading: "Chi trả tháng \(m.vietnamese) (tháng này)", deadline: returnsDue,
                 late: returnsLate && !(currentSteps.count > 3 && currentSteps[3].done), steps: currentSteps),
            Card(heading: "Danh sách tháng \(m.next.vietnamese) (tháng tới)", deadline: listDue,
                 late: listLate && !(nextSteps.count > 2 && nextSteps[2].done), steps: nextSteps),
        ]
        let todo = (nextSteps + currentSteps).first { !$0.done }
        let rollText = roll.map { "Lần nhập danh sách gần nhất: \($0.name), \(Show.time($0.importedAt)) — \(Show.number($0.rowsTotal)) dòng, \(Show.number($0.rowsApplied)) áp dụng, \(Show.number($0.rowsRejected)) bị từ chối." }
            ?? "Chưa nhập danh sách đối tượng nào."
        return Model(today: today.vietnamese, cards: cards,
                     nextAction: todo.map { "\($0.label): \($0.detail)" } ?? "Mọi bước của hai tháng đã xong.",
                     nextHref: todo?.href, roll: rollText)
    }

    static func vi(_ period: String) -> String { YearMonth(period)?.vietnamese ?? period }
}

extension Show {
    /// "12.345"
    public static func number(_ n: Int) -> String { Money.vietnamese(Int64(n)) }
}

extension CivilDate {
    /// Days from self to `other` (negative when `other` is earlier).
    func days(until other: CivilDate) -> Int {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0)!
        let a = cal.date(from: DateComponents(year: year, month: month, day: day))!
        let b = cal.date(from: DateComponents(year: other.year, month: other.month, day: other.day))!
        return Int((b.timeIntervalSince(a) / 86400).rounded())
    }
}
