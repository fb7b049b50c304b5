/// Small vector kernels on Float32, written so the compiler vectorises them (`acc += a * b`,
/// never `addingProduct`, which becomes a software FMA per lane on the default x86-64 target).
public enum VectorMath {
    /// The dot product of two buffers of `count` floats.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = SIMD8<Float>()
        var acc1 = SIMD8<Float>()
        var index = 0
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        while index + 16 <= count {
            let a0 = rawA.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            let b0 = rawB.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            let a1 = rawA.loadUnaligned(fromByteOffset: (index + 8) * 4, as: SIMD8<Float>.self)
            let b1 = rawB.loadUnaligned(fromByteOffset: (index + 8) * 4, as: SIMD8<Float>.self)
            acc0 += a0 * b0
            acc1 += a1 * b1
            index += 16
        }
        var sum = (acc0 + acc1).sum()
        while index < count {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }

    /// The dot product of two arrays of equal length.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "vectors must have equal length")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let baseA = pa.baseAddress, let baseB = pb.baseAddress else { return 0 }
                return dot(baseA, baseB, count: a.count)
            }
        }
    }

    /// Scales `vector` to unit length; a zero vector stays zero.
    public static func normalize(_ vector: inout [Float]) {
        let norm = dot(vector, vector).squareRoot()
        guard norm > 0 else { return }
        for index in vector.indices { vector[index] /= norm }
    }

    /// Throws `invalid_vector` unless `vector` has `dimension` finite components.
    public static func validate(_ vector: [Float], dimension: Int) throws {
        guard vector.count == dimension else {
            throw EngramError(
                .invalidVector,
                "The vector has \(vector.count) components but the store's embedder uses \(dimension); pass a vector of that dimension or omit it."
            )
        }
        guard vector.allSatisfy(\.isFinite) else {
            throw EngramError(.invalidVector, "The vector has NaN or infinite components; pass finite numbers only.")
        }
    }
}
