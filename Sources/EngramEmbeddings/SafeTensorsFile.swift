import EngramCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `.safetensors` file opened for reading: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian tensor data.
///
/// Tensors are read one at a time straight into their destination, so loading never holds the whole file twice.
final class SafeTensorsFile {
    /// One tensor's entry in the header.
    struct Tensor: Equatable {
        var dtype: String
        var shape: [Int]
        /// The byte range within the data section.
        var range: Range<Int>
    }

    /// The tensors by name, a leading `bert.` removed.
    let tensors: [String: Tensor]
    private let descriptor: Int32
    /// Where the data section starts in the file.
    private let dataStart: Int

    /// Opens `path` and parses and checks its header (names, dtypes, shapes and byte ranges).
    init(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw EngramError.modelNotFound("model.safetensors") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw EngramError.modelNotFound("model.safetensors")
        }
        do {
            let size = Int(status.st_size)
            var lengthBytes = [UInt8](repeating: 0, count: 8)
            try Self.read(descriptor, into: &lengthBytes, at: 0)
            let headerLength = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard headerLength > 0, headerLength <= UInt64(min(size - 8, 100_000_000)) else {
                throw EngramError.modelInvalid("model.safetensors has a bad header length; the file may be truncated")
            }
            var header = [UInt8](repeating: 0, count: Int(headerLength))
            try Self.read(descriptor, into: &header, at: 8)
            dataStart = 8 + Int(headerLength)
            tensors = try Self.parseHeader(header, dataSize: size - dataStart)
            self.descriptor = descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        close(descriptor)
    }

    /// Checks that `name` exists as F32 with `shape` and returns it.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let tensor = tensors[name] else {
            throw EngramError.modelInvalid("model.safetensors has no tensor \(name)")
        }
        guard tensor.dtype == "F32" else {
            throw EngramError.modelInvalid("tensor \(name) is \(tensor.dtype), not F32")
        }
        guard tensor.shape == shape else {
            throw EngramError.modelInvalid(
                "tensor \(name) has shape \(tensor.shape), config.json implies \(shape)")
        }
        return tensor
    }

    /// Reads the F32 tensor `name` of `shape` into `destination` (which holds exactly its elements).
    func read(_ name: String, shape: [Int], into destination: UnsafeMutableBufferPointer<Float>) throws {
        let tensor = try tensor(name, shape: shape)
        precondition(destination.count * 4 == tensor.range.count, "destination size differs from the tensor")
        let raw = UnsafeMutableRawBufferPointer(destination)
        try Self.read(descriptor, into: raw, at: dataStart + tensor.range.lowerBound)
        #if _endian(big)
            for index in destination.indices {
                destination[index] = Float(bitPattern: UInt32(littleEndian: destination[index].bitPattern))
            }
        #endif
    }

    /// Reads the F32 tensor `name` of `shape` into a new array.
    func read(_ name: String, shape: [Int]) throws -> [Float] {
        let count = shape.reduce(1, *)
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(name, shape: shape, into: buffer)
            initialized = count
        }
    }

    /// Parses the JSON header and checks every tensor's byte range against its dtype, shape and the file size.
    private static func parseHeader(_ bytes: [UInt8], dataSize: Int) throws -> [String: Tensor] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let entries = object as? [String: Any]
        else {
            throw EngramError.modelInvalid("model.safetensors has a header that is not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
        for (name, value) in entries where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                offsets.count == 2, shape.allSatisfy({ $0 >= 0 })
            else {
                throw EngramError.modelInvalid("model.safetensors has a malformed entry for \(name)")
            }
            let range = offsets[0]..<max(offsets[0], offsets[1])
            let elementSize = ["F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "I16": 2][dtype] ?? 1
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] <= dataSize,
                range.count == shape.reduce(1, *) * elementSize
            else {
                throw EngramError.modelInvalid(
                    "tensor \(name) has a byte range that does not fit its shape or the file; it is truncated or corrupt"
                )
            }
            let key = name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name
            tensors[key] = Tensor(dtype: dtype, shape: shape, range: range)
        }
        return tensors
    }

    private static func read(_ descriptor: Int32, into bytes: inout [UInt8], at offset: Int) throws {
        try bytes.withUnsafeMutableBytes { try read(descriptor, into: $0, at: offset) }
    }

    /// `pread` until `buffer` is full; a short file is `model_invalid`.
    private static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw EngramError.modelInvalid("model.safetensors ends early; the file is truncated")
            }
            done += count
        }
    }
}
