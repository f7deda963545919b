// libFuzzer harness for CSVReader (compiled together with Sources/ChiTraCore by ops/fuzz/run).
import Foundation

nonisolated(unsafe) let csvPath = "/dev/shm/chitra-fuzz-csv-\(getpid()).csv"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FileManager.default.createFile(atPath: csvPath, contents: Data(bytes: data, count: size))
    guard let reader = try? CSVReader(url: URL(fileURLWithPath: csvPath)) else { return 0 }
    reader.maxRecordBytes = 4096
    var records = 0
    do {
        while let r = try reader.next() {
            records += 1
            for f in r.fields { _ = VietnameseText.key(f) }
            if records > 100_000 { break }
        }
    } catch {
        _ = "\(error)"
    }
    return 0
}
