import ChiTraSheets
import Testing

@Suite struct CellReferenceTests {
    @Test func columnsAndRowsAsExcelNamesThem() {
        #expect(CellReference("A1") == CellReference(column: 1, row: 1))
        #expect(CellReference("Z9") == CellReference(column: 26, row: 9))
        #expect(CellReference("AA10") == CellReference(column: 27, row: 10))
        #expect(CellReference("XFD1048576") == CellReference(column: 16_384, row: 1_048_576))
        #expect(CellReference(column: 28, row: 3).description == "AB3")
    }

    @Test func referencesBeyondExcelsLimitsOrMalformedAreRefused() {
        for bad in ["", "A", "1", "A0", "a1", "XFE1", "A1048577", "1A", "A1B", "AAAA1", "A12345678"] {
            #expect(CellReference(bad) == nil, "\(bad)")
        }
    }
}
