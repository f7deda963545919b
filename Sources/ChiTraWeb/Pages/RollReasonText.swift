import ChiTraCore
import Foundation

/// The roll validator's reasons (English, as the CLI prints them) in Vietnamese for the result
/// page: each known sentence is a pattern whose `{}` parts are carried over. A reason no pattern
/// knows is shown as written.
enum RollReasonText {
    /// (English pattern, Vietnamese template): `{}` in the pattern matches any text, repeated in
    /// the template as `{0}`, `{1}`… in order.
    static let patterns: [(String, String)] = [
        ("is required; fill it in and import again", "bắt buộc phải có; điền vào rồi nhập lại"),
        ("is required (DD/MM/YYYY)", "bắt buộc phải có (ngày dạng DD/MM/YYYY)"),
        ("is required (MM/YYYY)", "bắt buộc phải có (tháng dạng MM/YYYY)"),
        ("is required (DD/MM/YYYY, or the year alone)", "bắt buộc phải có (DD/MM/YYYY, hoặc chỉ năm sinh)"),
        ("is not a real date in the form DD/MM/YYYY", "không phải một ngày có thật dạng DD/MM/YYYY"),
        ("is not a real date in the form DD/MM/YYYY (or a year like 1941)", "không phải một ngày có thật dạng DD/MM/YYYY (hoặc năm sinh như 1941)"),
        ("is not a month in the form MM/YYYY", "không phải tháng dạng MM/YYYY"),
        ("is in the future", "là ngày trong tương lai"),
        ("must be Nam or Nữ", "phải là Nam hoặc Nữ"),
        ("must be 1–32 letters, digits, '.', '_' or '-'", "chỉ gồm 1–32 chữ cái không dấu, chữ số, '.', '_' hoặc '-'"),
        ("is not a phone number (9–11 digits, may start with +84)", "không phải số điện thoại (9–11 chữ số, có thể bắt đầu bằng +84)"),
        ("is not a known category; use a code from formats/tariff.json", "không phải mã diện đối tượng có trong bảng mức trợ cấp (formats/tariff.json)"),
        ("must be a whole number from 1 to 20", "phải là số nguyên từ 1 đến 20"),
        ("is required for {}: the number of children raised or persons cared for", "bắt buộc với diện {0}: số con đang nuôi hoặc số người được chăm sóc"),
        ("is before the start month {}", "trước tháng bắt đầu hưởng {0}"),
        ("is before the date of birth", "trước ngày sinh"),
        ("is after the month of death", "sau tháng mất"),
        ("must be Đang hưởng, Tạm dừng or Thôi hưởng", "phải là Đang hưởng, Tạm dừng hoặc Thôi hưởng"),
        ("is required when the status is Thôi hưởng (the last month owed)", "bắt buộc khi trạng thái là Thôi hưởng (tháng cuối cùng được hưởng)"),
        ("must be Tài khoản ngân hàng, Tài khoản bưu điện or Tiền mặt tại bưu điện", "phải là Tài khoản ngân hàng, Tài khoản bưu điện hoặc Tiền mặt tại bưu điện"),
        ("is required for payment to a bank account", "bắt buộc khi chi trả qua tài khoản ngân hàng"),
        ("is required for payment to a bank account (the name the bank holds)", "bắt buộc khi chi trả qua tài khoản ngân hàng (tên chủ tài khoản như ngân hàng ghi)"),
        ("is not a known bank BIN; see formats/banks.json", "không phải mã BIN của ngân hàng nào đã biết (formats/banks.json)"),
        ("is required for payment to an account", "bắt buộc khi chi trả qua tài khoản"),
        ("must be digits only, at most 19", "chỉ gồm chữ số, tối đa 19 chữ số"),
        ("is required: a child is paid through a guardian or carer; record who receives", "bắt buộc: trẻ em được chi trả qua người giám hộ hoặc người chăm sóc; ghi người nhận thay"),
        ("is required when someone receives on the beneficiary's behalf", "bắt buộc khi có người nhận thay"),
        ("is required for a proxy who is not a guardian (the authorisation letter's end date)", "bắt buộc với người nhận thay không phải người giám hộ (ngày hết hạn của giấy ủy quyền)"),
        ("is empty but a proxy ID or relation is given; fill in the proxy's name or clear the proxy columns",
         "đang trống nhưng có số định danh hoặc quan hệ của người nhận thay; điền tên người nhận thay hoặc xoá các cột người nhận thay"),
        ("must be Có or Không (or empty)", "phải là Có hoặc Không (hoặc để trống)"),
        ("has {} fields but the header has {}; check for a stray comma or an unquoted field",
         "có {0} ô nhưng dòng tiêu đề có {1} cột; kiểm tra dấu phẩy thừa hoặc ô có dấu phẩy mà chưa đặt trong ngoặc kép"),
        ("is {} characters long; at most {} are allowed", "dài {0} ký tự; tối đa {1} ký tự"),
        ("contains a control character ({}: a tab, line break or other invisible code); remove it",
         "chứa ký tự điều khiển ({0}: dấu tab, xuống dòng hoặc mã ẩn khác); xoá ký tự đó"),
        ("contains an invisible text-direction character ({}), which makes the text show differently from what is stored; retype the value without it",
         "chứa ký tự ẩn đổi chiều chữ ({0}), làm chữ hiện khác với giá trị lưu; gõ lại giá trị không có ký tự đó"),
        ("the same code on line {} has different {}; one person's lines must agree",
         "cùng mã này ở dòng {0} có {1} khác; các dòng của một người phải giống nhau"),
        ("code {} already has this category earlier in the file; remove the duplicate line",
         "mã {0} đã có diện này ở dòng trước trong tệp; xoá dòng trùng"),
        ("is not a DD/MM/YYYY date; it reads only month-first, as {}: dates are month-first (US); export with DD/MM/YYYY",
         "không phải ngày dạng DD/MM/YYYY; chỉ đọc được theo kiểu tháng trước ngày, là {0}: tệp ghi ngày kiểu Mỹ; xuất lại với ngày dạng DD/MM/YYYY"),
        // Personal ID problems, with the importer's advice after them.
        ("must contain digits only; check the ID card and the date of birth and sex", "chỉ được gồm chữ số; kiểm tra thẻ CCCD, ngày sinh và giới tính"),
        ("must contain digits only", "chỉ được gồm chữ số"),
        ("has {} digits; a personal ID has 12 (or 9 for an old CMND); check the ID card and the date of birth and sex",
         "có {0} chữ số; số định danh có 12 chữ số (hoặc 9 với CMND cũ); kiểm tra thẻ CCCD, ngày sinh và giới tính"),
        ("has {} digits; a personal ID has 12 (or 9 for an old CMND)", "có {0} chữ số; số định danh có 12 chữ số (hoặc 9 với CMND cũ)"),
        ("digit 4 is {} but sex and birth century require {}; check the ID card and the date of birth and sex",
         "chữ số thứ 4 là {0} nhưng giới tính và thế kỷ sinh cần {1}; kiểm tra thẻ CCCD, ngày sinh và giới tính"),
        ("digits 5–6 are {} but the birth year ends in {}; check the ID card and the date of birth and sex",
         "chữ số thứ 5–6 là {0} nhưng năm sinh tận cùng là {1}; kiểm tra thẻ CCCD, ngày sinh và giới tính"),
    ]

    /// Stored fields that are not roll columns, by the column they come from.
    static let storedFields = ["name_bank": "Họ và tên", "birth_year_only": "Ngày sinh", "id_legacy": "Số định danh"]

    /// The reason in Vietnamese, or nil when no pattern knows it.
    static func vietnamese(_ message: String) -> String? {
        for (pattern, template) in patterns {
            guard let parts = match(pattern, message) else { continue }
            var out = template
            for (i, p) in parts.enumerated() {
                // Field lists ("full_name, birth_date") as the roll's Vietnamese headers.
                let shown = p.split(separator: ",").map { f -> String in
                    let t = f.trimmingCharacters(in: .whitespaces)
                    return RollColumn(rawValue: t)?.vietnameseHeader ?? storedFields[t] ?? t
                }.joined(separator: ", ")
                out = out.replacingOccurrences(of: "{\(i)}", with: pattern.contains("different {}") && i == 1 ? shown : p)
            }
            return out
        }
        return nil
    }

    /// The texts `{}` stood for when `message` fits `pattern` exactly, else nil.
    static func match(_ pattern: String, _ message: String) -> [String]? {
        let literals = pattern.components(separatedBy: "{}")
        guard message.hasPrefix(literals[0]) else { return nil }
        if literals.count == 1 { return message == pattern ? [] : nil }
        var rest = message[message.index(message.startIndex, offsetBy: literals[0].count)...]
        var parts: [String] = []
        for (i, lit) in literals.enumerated().dropFirst() {
            let last = i == literals.count - 1
            if last {
                guard rest.hasSuffix(lit), rest.count >= lit.count else { return nil }
                parts.append(String(rest.dropLast(lit.count)))
            } else {
                guard !lit.isEmpty, let r = rest.range(of: lit) else { return nil }
                parts.append(String(rest[..<r.lowerBound]))
                rest = rest[r.upperBound...]
            }
        }
        return parts.contains(where: \.isEmpty) ? nil : parts
    }
}
