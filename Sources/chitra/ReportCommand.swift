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
            guard pdf != nil || csv != nil else { throw ValidationError(Message("cli.report.no_output").text()) }
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
                throw ValidationError(Message("cli.report.no_list_output").text())
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
            print(Message("cli.report.list_heading", ["month": .text(list.period.vietnamese), "batch": .text(String(list.batchID)),
                                                   "office": .text(list.postOffice)]).text())
            for v in list.villages {
                print("  " + Message("cli.report.list_village", ["village": .text(v.village), "people": .int(v.people), "payments": .int(v.payments),
                                                             "total": .money(v.total), "words": .text(v.totalInWords)]).text())
            }
            for f in written { print(Message("cli.report.wrote", ["file": .text(f)]).text()) }
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
                throw ValidationError(Message("cli.report.bad_period", ["period": .text(SafeText.echo(period))]).text())
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
            print(Message("cli.report.periodic_heading", ["period": .text(Language.current == .vi ? report.period.vietnamese : report.period.description),
                                                         "batches": .int(report.batchCount)]).text())
            for p in report.parts {
                print("  " + Message("cli.report.periodic_scheme", ["roman": .text(p.scheme.roman), "heading": .text(p.scheme.heading), "people": .int(p.subtotal.people),
                                                                "paid": .money(p.subtotal.paid), "unpaid": .money(p.subtotal.unpaid)]).text())
            }
            for c in report.channels {
                print("  " + Message("cli.report.periodic_channel", ["channel": .text(c.channel.vietnamese), "people": .int(c.figures.people),
                                                                 "paid": .money(c.figures.paid)]).text())
            }
            print("  " + Message("cli.report.periodic_total", ["people": .int(t.people), "paid_people": .int(t.paidPeople), "payments": .int(t.payments),
                                                               "paid": .money(t.paid), "words": .text(Money.inWords(t.paid))]).text())
            for f in written { print(Message("cli.report.wrote", ["file": .text(f)]).text()) }
        }
    }
}
