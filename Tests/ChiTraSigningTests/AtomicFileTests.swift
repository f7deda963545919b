import Foundation
import Testing
import ChiTraSigning

@Suite("Atomic file writes")
struct AtomicFileTests {
    @Test("write puts the whole content in place with mode 0600 and leaves no temp file")
    func writeWhole() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("out.xml")
        let data = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0) })
        try AtomicFile.write(data, to: url)
        #expect(try Data(contentsOf: url) == data)
        #expect(try permissions(of: url) == 0o600)
        #expect(try dir.contents() == ["out.xml"])
    }

    @Test("write replaces an existing file")
    func replaces() throws {
        let dir = try TemporaryDirectory()
        let url = try dir.write("out.txt", "old content that is longer")
        try AtomicFile.write(Data("new".utf8), to: url, mode: 0o640)
        #expect(try String(contentsOf: url, encoding: .utf8) == "new")
        #expect(try permissions(of: url) == 0o640)
    }

    @Test("a streaming writer commits its chunks and leaves no temp file")
    func streamingCommit() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("stream.txt")
        let writer = try AtomicFileWriter(destination: url)
        #expect(try permissions(of: writer.temporaryURL) == 0o600)
        try writer.write(Data("one,".utf8))
        try writer.write(Data("two".utf8))
        #expect(!FileManager.default.fileExists(atPath: url.path))
        try writer.commit()
        #expect(try String(contentsOf: url, encoding: .utf8) == "one,two")
        #expect(try dir.contents() == ["stream.txt"])
    }

    @Test("abandon deletes the temp file and leaves the destination untouched")
    func abandon() throws {
        let dir = try TemporaryDirectory()
        let url = try dir.write("keep.txt", "original")
        let writer = try AtomicFileWriter(destination: url)
        try writer.write(Data("half-written".utf8))
        writer.abandon()
        #expect(try String(contentsOf: url, encoding: .utf8) == "original")
        #expect(try dir.contents() == ["keep.txt"])
    }

    @Test("a writer released without commit removes its temp file")
    func releasedWithoutCommit() throws {
        let dir = try TemporaryDirectory()
        do {
            let writer = try AtomicFileWriter(destination: dir.file("x"))
            try writer.write(Data("x".utf8))
        }
        #expect(try dir.contents().isEmpty)
    }
}
