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

    @Test("a destination that is a symbolic link is refused; the file it points to is untouched")
    func symlinkDestinationRefused() throws {
        let dir = try TemporaryDirectory()
        let target = try dir.write("elsewhere.txt", "keep me")
        let link = dir.file("out.txt")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect { try AtomicFile.write(Data("new".utf8), to: link) } throws: { "\($0)".contains("symbolic link") }
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep me")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try dir.contents() == ["elsewhere.txt", "out.txt"])
    }

    @Test("commit(replacing: false) never replaces an existing file")
    func noReplace() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("b.sqlite")
        let first = try AtomicFileWriter(destination: url)
        try first.write(Data("first".utf8))
        try first.commit(replacing: false)
        #expect(try dir.contents() == ["b.sqlite"])
        let second = try AtomicFileWriter(destination: url)
        try second.write(Data("second".utf8))
        #expect(throws: SigningError.alreadyExists(path: url.path)) { try second.commit(replacing: false) }
        second.abandon()
        #expect(try String(contentsOf: url, encoding: .utf8) == "first")
        #expect(try dir.contents() == ["b.sqlite"])
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
