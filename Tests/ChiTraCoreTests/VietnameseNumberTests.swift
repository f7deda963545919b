import ChiTraCore
import Testing

/// Every expected reading below was written out by hand from the rules in `VietnameseNumber`,
/// not copied from its output.
@Suite("Vietnamese numbers in words")
struct VietnameseNumberTests {
    @Test("The issue's two totals read as an accountant writes them")
    func issueTotals() {
        #expect(Money.inWords(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng")
        #expect(Money.inWords(1_001_750_000) == "Một tỷ không trăm linh một triệu bảy trăm năm mươi nghìn đồng")
    }

    @Test("Units and tens: mười, mươi, mốt after mươi only, lăm after mười/mươi, tư after mươi only",
          arguments: [
            (0, "không"), (1, "một"), (4, "bốn"), (5, "năm"), (10, "mười"), (11, "mười một"), (14, "mười bốn"),
            (15, "mười lăm"), (20, "hai mươi"), (21, "hai mươi mốt"), (24, "hai mươi tư"), (25, "hai mươi lăm"),
            (31, "ba mươi mốt"), (40, "bốn mươi"), (44, "bốn mươi tư"), (55, "năm mươi lăm"), (99, "chín mươi chín"),
          ] as [(Int64, String)])
    func smallNumbers(n: Int64, expected: String) {
        #expect(VietnameseNumber.words(n) == expected)
    }

    @Test("Hundreds: linh before a lone units digit, which is then read plainly (một, năm, bốn)",
          arguments: [
            (100, "một trăm"), (101, "một trăm linh một"), (104, "một trăm linh bốn"), (105, "một trăm linh năm"),
            (110, "một trăm mười"), (111, "một trăm mười một"), (115, "một trăm mười lăm"), (121, "một trăm hai mươi mốt"),
            (500, "năm trăm"), (999, "chín trăm chín mươi chín"),
          ] as [(Int64, String)])
    func hundreds(n: Int64, expected: String) {
        #expect(VietnameseNumber.words(n) == expected)
    }

    @Test("A group after a higher one is read whole (không trăm, linh); an all-zero group is left out",
          arguments: [
            (1_000, "một nghìn"), (1_001, "một nghìn không trăm linh một"), (1_010, "một nghìn không trăm mười"),
            (1_015, "một nghìn không trăm mười lăm"), (2_066, "hai nghìn không trăm sáu mươi sáu"),
            (10_000, "mười nghìn"), (21_000, "hai mươi mốt nghìn"), (500_000, "năm trăm nghìn"),
            (750_000, "bảy trăm năm mươi nghìn"), (1_000_000, "một triệu"), (1_000_500, "một triệu năm trăm"),
            (1_000_001, "một triệu không trăm linh một"), (1_050_000, "một triệu không trăm năm mươi nghìn"),
            (14_750_000, "mười bốn triệu bảy trăm năm mươi nghìn"), (105_000_000, "một trăm linh năm triệu"),
          ] as [(Int64, String)])
    func groups(n: Int64, expected: String) {
        #expect(VietnameseNumber.words(n) == expected)
    }

    @Test("Tỷ and beyond: the number of tỷ is read in turn; what follows a tỷ is read whole",
          arguments: [
            (1_000_000_000, "một tỷ"), (1_000_000_005, "một tỷ không trăm linh năm"),
            (2_500_000_000, "hai tỷ năm trăm triệu"), (1_000_000_000_000, "một nghìn tỷ"),
            (15_000_000_000_000, "mười lăm nghìn tỷ"), (1_000_000_000_000_000, "một triệu tỷ"),
            (Int64.max, "chín tỷ hai trăm hai mươi ba triệu ba trăm bảy mươi hai nghìn không trăm ba mươi sáu tỷ tám trăm năm mươi tư triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy"),
          ] as [(Int64, String)])
    func billions(n: Int64, expected: String) {
        #expect(VietnameseNumber.words(n) == expected)
    }

    @Test("Money in words is capitalised and ends in đồng; zero and negative amounts read too")
    func money() {
        #expect(Money.inWords(0) == "Không đồng")
        #expect(Money.inWords(500_000) == "Năm trăm nghìn đồng")
        #expect(Money.inWords(-750_000) == "Âm bảy trăm năm mươi nghìn đồng")
        #expect(Money.inWords(Int64.min).hasPrefix("Âm chín tỷ hai trăm hai mươi ba triệu"))
        #expect(Money.inWords(Int64.min).hasSuffix("tám trăm linh tám đồng"))
    }
}
