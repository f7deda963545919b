// libFuzzer harness for the return-file reader (pain.002, camt.054, CSV returns), compiled with
// Sources/ChiTraReturns/Formats against ChiTraCore by ops/fuzz/run.
import ChiTraCore
import Foundation

nonisolated(unsafe) let xmlPath = "/dev/shm/chitra-fuzz-ret-\(getpid()).xml"
nonisolated(unsafe) let formats: ReturnFormats = {
    let dir = ProcessInfo.processInfo.environment["CHITRA_FORMATS"] ?? "formats"
    return try! ReturnFormats.load(from: URL(fileURLWithPath: dir).appendingPathComponent("return-formats.json"))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReturns(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FileManager.default.createFile(atPath: xmlPath, contents: Data(bytes: data, count: size))
    do {
        let doc = try ReturnFileReader(acceptForeignCurrency: true).read(url: URL(fileURLWithPath: xmlPath), formats: formats)
        _ = doc.records.count
    } catch {
        _ = "\(error)"
    }
    return 0
}
