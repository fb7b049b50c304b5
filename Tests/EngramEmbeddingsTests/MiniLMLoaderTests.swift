import EngramCore
import Foundation
import Testing

@testable import EngramEmbeddings

/// Loading the model: missing files are `model_not_found`, broken ones `model_invalid`, never a crash.
@Suite struct MiniLMLoaderTests {
    /// A fresh temporary folder, removed when the test ends.
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appending(path: "engram-minilm-\(UUID().uuidString)")

        init() throws {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        var path: String { url.path }

        func write(_ data: Data, to name: String) throws {
            try data.write(to: url.appending(path: name))
        }

        /// A model folder whose config.json and vocab.txt are the real ones and whose weights are `weights`.
        static func model(weights: Data) throws -> Folder {
            let folder = try Folder()
            let real = URL(fileURLWithPath: MiniLMTestFiles.modelDirectory)
            for name in ["config.json", "vocab.txt", "sentence_bert_config.json"] {
                try folder.write(Data(contentsOf: real.appending(path: name)), to: name)
            }
            try folder.write(weights, to: "model.safetensors")
            return folder
        }

        deinit {
            try? FileManager.default.removeItem(at: url)
        }
    }

    /// A safetensors file holding `tensors` (name, dtype, shape, values as F32 bytes).
    static func safetensors(_ tensors: [(name: String, dtype: String, shape: [Int], values: [Float])]) -> Data {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var body = Data()
        for tensor in tensors {
            let start = body.count
            for value in tensor.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) }
            }
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [start, body.count]]
        }
        let json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        return file + json + body
    }

    func expectError(_ code: EngramError.Code, mentioning words: [String] = [], _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(code), nothing was thrown")
        } catch let error as EngramError {
            #expect(error.code == code)
            #expect(error.message.contains("./scripts/setup.sh"))
            #expect(error.message.contains("ENGRAM_MODEL_DIR"))
            for word in words { #expect(error.message.contains(word), "message: \(error.message)") }
        } catch {
            Issue.record("expected an EngramError, got \(error)")
        }
    }

    @Test func aMissingFolderIsModelNotFound() throws {
        let missing = FileManager.default.temporaryDirectory.appending(path: "engram-no-model-\(UUID().uuidString)")
        #expect(!MiniLMEmbedder.filesPresent(at: missing.path))
        expectError(.modelNotFound, mentioning: ["model.safetensors"]) {
            _ = try MiniLMEmbedder(directory: missing.path)
        }
    }

    @Test func aFolderWithoutWeightsIsModelNotFound() throws {
        let folder = try Folder()
        try folder.write(Data("{}".utf8), to: "config.json")
        try folder.write(Data("[PAD]\n".utf8), to: "vocab.txt")
        #expect(!MiniLMEmbedder.filesPresent(at: folder.path))
        expectError(.modelNotFound, mentioning: ["model.safetensors"]) {
            _ = try MiniLMEmbedder(directory: folder.path)
        }
    }

    @Test(arguments: [
        Data(),  // empty
        Data((0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37) }),  // garbage: an absurd header length
        Data([16, 0, 0, 0, 0, 0, 0, 0]) + Data("not json at all!".utf8),  // a header that is not JSON
    ])
    func garbageWeightsAreModelInvalid(_ weights: Data) throws {
        let folder = try Folder.model(weights: weights)
        expectError(.modelInvalid, mentioning: ["model.safetensors"]) {
            _ = try MiniLMEmbedder(directory: folder.path)
        }
    }

    @Test func truncatedWeightsAreModelInvalid() throws {
        let real = URL(fileURLWithPath: MiniLMTestFiles.modelDirectory).appending(path: "model.safetensors")
        let handle = try FileHandle(forReadingFrom: real)
        defer { try? handle.close() }
        let prefix = try #require(try handle.read(upToCount: 1 << 20))
        let folder = try Folder.model(weights: prefix)
        expectError(.modelInvalid, mentioning: ["truncated"]) {
            _ = try MiniLMEmbedder(directory: folder.path)
        }
    }

    @Test func aTensorOfTheWrongShapeOrTypeIsModelInvalid() throws {
        let wrongShape = Self.safetensors([
            ("bert.embeddings.word_embeddings.weight", "F32", [2, 3], Array(repeating: 0, count: 6))
        ])
        let folder = try Folder.model(weights: wrongShape)
        expectError(.modelInvalid, mentioning: ["embeddings.word_embeddings.weight", "[2, 3]", "[30522, 384]"]) {
            _ = try MiniLMEmbedder(directory: folder.path)
        }
        let halfBody = Self.safetensors([("embeddings.word_embeddings.weight", "F16", [2], [0])])
        let half = try Folder.model(weights: halfBody)
        expectError(.modelInvalid, mentioning: ["F16"]) {
            _ = try MiniLMEmbedder(directory: half.path)
        }
        let empty = try Folder.model(weights: Self.safetensors([]))
        expectError(.modelInvalid, mentioning: ["no tensor embeddings.word_embeddings.weight"]) {
            _ = try MiniLMEmbedder(directory: empty.path)
        }
    }

    @Test func aBrokenConfigurationIsModelInvalid() throws {
        let folder = try Folder.model(weights: Self.safetensors([]))
        try folder.write(Data("{\"hidden_size\": 384}".utf8), to: "config.json")
        expectError(.modelInvalid, mentioning: ["config.json"]) {
            _ = try MiniLMEmbedder(directory: folder.path)
        }
    }

    @Test func readsTensorsByNameWithoutTheBertPrefix() throws {
        let folder = try Folder()
        try folder.write(
            Self.safetensors([
                ("bert.pooler.dense.bias", "F32", [2], [1.5, -2]),
                ("encoder.layer.0.output.dense.weight", "F32", [2, 2], [1, 2, 3, 4]),
            ]), to: "tiny.safetensors")
        let file = try SafeTensorsFile(path: folder.url.appending(path: "tiny.safetensors").path)
        #expect(Set(file.tensors.keys) == ["pooler.dense.bias", "encoder.layer.0.output.dense.weight"])
        #expect(try file.read("pooler.dense.bias", shape: [2]) == [1.5, -2])
        #expect(try file.read("encoder.layer.0.output.dense.weight", shape: [2, 2]) == [1, 2, 3, 4])
        #expect(throws: EngramError.self) { try file.read("pooler.dense.bias", shape: [3]) }
    }

    @Test func rejectsImpossibleArguments() throws {
        let error = try #require(throws: EngramError.self) {
            _ = try MiniLMEmbedder(directory: MiniLMTestFiles.modelDirectory, batchSize: 0)
        }
        #expect(error.code == .invalidArgument)
    }
}
