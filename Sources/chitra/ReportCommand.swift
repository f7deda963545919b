import ArgumentParser
import ChiTraBatch
import ChiTraCore
import ChiTraSigning
import Foundation

/// The official paper: the payment list the post office and the commune sign, and the periodic
/// report sent up. PDF through headless Chromium, CSV for Excel (formats/paper.md).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Print the official paper: payment lists, the periodic report.",
        subcommands: [PaymentListReport.self, Periodic.self])

    /// Where the paper goes: at least one of --pdf and --csv.
    struct Output: ParsableArguments {
        @Option(help: ArgumentHelp("Write an A4 PDF (headless Chromium).", valueName: "FILE")) var pdf: String?
        @Option(help: ArgumentHelp("Write a CSV (UTF-8 with BOM, for Excel).", valueName: "FILE")) var csv: String?

        func validate() throws {
            guard pdf != nil || csv != nil else { throw ValidationError("say where to write the paper: --pdf FILE and/or --csv FILE") }
        }

        /// Writes the files whole or not at all (mode 0600) and says which.
        func write(html: () -> String, csv data: () -> Data, json: Bool) throws -> [String] {
            try Self.write(pdf: pdf, csv: csv, html: html, csv: data)
        }

        static func write(pdf: String?, csv: String?, html: () -> String, csv data: () -> Data) throws -> [String] {
            var written: [String] = []
            if let csv {
                try AtomicFile.write(data(), to: URL(fileURLWithPath: csv))
                written.append(csv)
            }
            if let pdf {
                try PDFPrinter.print(html: html(), to: URL(fileURLWithPath: pdf))
                written.append(pdf)
            }
            return written
        }
    }

    /// The payment list's outputs: --pdf, --csv and --xlsx, at least one.
    struct ListOutput: ParsableArguments {
        @Option(help: ArgumentHelp("Write an A4 PDF (headless Chromium).", valueName: "FILE")) var pdf: String?
        @Option(help: ArgumentHelp("Write a CSV (UTF-8 with BOM, for Excel).", valueName: "FILE")) var csv: String?
        @Option(help: ArgumentHelp("Write an Excel workbook, one sheet per village.", valueName: "FILE.xlsx")) var xlsx: String?

        func validate() throws {
            guard pdf != nil || csv != nil || xlsx != nil else {
                throw ValidationError("say where to write the paper: --pdf FILE, --csv FILE and/or --xlsx FILE.xlsx")
            }
            if let xlsx { try XLSXOption.check(xlsx) }
        }
    }

    struct PaymentListReport: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "payment-list",
            abstract: "The payment list the post office and the commune sign for a batch's cash and post-account payments.",
            discussion: """
            One page (or more) per village: quốc hiệu, the commune, the month, one line per person with what they are paid
            for, the amount and a signature column, the totals and the total in words, the signature blocks. From an approved
            or exported batch. Any active account (it shows names).
            Example: chitra report payment-list 1 --village "Tổ dân phố 4" --pdf out/ds-to-4.pdf --csv out/ds-to-4.csv --xlsx out/ds-to-4.xlsx --user ha.le
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Argument(help: "Batch id.") var id: Int64
        @Option(help: ArgumentHelp("Only this village (thôn/tổ dân phố); without it, every village, each from a new page.", valueName: "NAME"))
        var village: String?
        @OptionGroup var output: ListOutput

        func run() throws {
            let db = try global.openStore()
            _ = try login.reader(db)
            let payer = try Payer.load(from: try global.formatsDir().appendingPathComponent("payer.json"))
            let list = try PaymentList.load(db, batchID: id, village: village, payer: payer)
            var written: [String] = []
            if let xlsx = output.xlsx {
                try list.writeXLSX(to: URL(fileURLWithPath: xlsx))
                written.append(xlsx)
            }
            if output.pdf != nil || output.csv != nil {
                written += try Output.write(pdf: output.pdf, csv: output.csv, html: list.html, csv: list.csv)
            }
            if global.json {
                struct Out: Encodable { let batch: Int64; let period: String; let villages: [V]; let files: [String]
                    struct V: Encodable { let village: String; let people: Int; let payments: Int; let total: Int64; let totalInWords: String } }
                try printJSON(Out(batch: list.batchID, period: list.period.description,
                                  villages: list.villages.map { .init(village: $0.village, people: $0.people, payments: $0.payments, total: $0.total, totalInWords: $0.totalInWords) },
                                  files: written))
                return
            }
            print("Danh sách chi trả tháng \(list.period.vietnamese), đợt #\(list.batchID) (\(list.postOffice)):")
            for v in list.villages {
                print("  \(v.village): \(v.people) người, \(v.payments) khoản, \(Money.vietnamese(v.total)) đồng — \(v.totalInWords)")
            }
            for f in written { print("Wrote \(f)") }
        }
    }

    struct Periodic: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "periodic",
            abstract: "The periodic report on regular social assistance (form 10a of Decree 20/2021's appendix) for a period.",
            discussion: """
            People and money by scheme and category, and by channel, from the exported batches of the months covered (paid as
            the returns say). --period YYYY-MM, YYYY-Qn, YYYY-H1/H2 (the half-year reports due before 15 June and 15 December),
            YYYY, or YYYY-MM..YYYY-MM. Any active account.
            Example: chitra report periodic --period 2026-H2 --pdf out/bao-cao-2026-H2.pdf --csv out/bao-cao-2026-H2.csv --user ha.le
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var login: LoginOptions
        @Option(help: ArgumentHelp("The months covered.", valueName: "PERIOD")) var period: String
        @OptionGroup var output: Output

        func validate() throws {
            guard ReportPeriod(period) != nil else {
                throw ValidationError("--period \(period) is not a period: use 2026-12, 2026-Q4, 2026-H2, 2026 or 2026-07..2026-12")
            }
        }

        func run() throws {
            let db = try global.openStore()
            _ = try login.reader(db)
            let dir = try global.formatsDir()
            let report = try PeriodicReport.load(db, period: ReportPeriod(period)!, tariff: try global.tariff(),
                                                 payer: try Payer.load(from: dir.appendingPathComponent("payer.json")))
            let written = try output.write(html: report.html, csv: report.csv, json: global.json)
            if global.json {
                struct Out: Encodable { let period: String; let batches: Int; let total: PeriodicReport.Figures; let files: [String] }
                try printJSON(Out(period: report.period.description, batches: report.batchCount, total: report.total, files: written))
                return
            }
            let t = report.total
            print("Báo cáo trợ giúp xã hội thường xuyên \(report.period.vietnamese) (\(report.batchCount) đợt chi đã gửi):")
            for p in report.parts {
                print("  \(p.scheme.roman). \(p.scheme.heading): \(p.subtotal.people) người, đã chi \(Money.vietnamese(p.subtotal.paid)) đồng, chưa chi \(Money.vietnamese(p.subtotal.unpaid)) đồng")
            }
            for c in report.channels {
                print("  \(c.channel.vietnamese): \(c.figures.people) người, đã chi \(Money.vietnamese(c.figures.paid)) đồng")
            }
            print("  Tổng: \(t.people) người (\(t.paidPeople) đã nhận), \(t.payments) khoản, đã chi \(Money.vietnamese(t.paid)) đồng — \(Money.inWords(t.paid))")
            for f in written { print("Wrote \(f)") }
        }
    }
}
