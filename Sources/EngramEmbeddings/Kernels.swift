import COpenBLAS
import Foundation

/// The encoder's numeric kernels on raw row-major `Float` buffers. Matrix products go to OpenBLAS; the rest are
/// plain loops the compiler vectorises (reductions use `SIMD8` partial sums; never `addingProduct`, which is a
/// software `fmaf` per lane on the default x86-64 target).
enum Kernels {
    /// `C = alpha · A · B (+ C when accumulate)`, A `m × k`, B `k × n` (or `n × k` when `transposeB`), row-major.
    static func gemm(
        m: Int, n: Int, k: Int, alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int? = nil,
        _ b: UnsafePointer<Float>, ldb: Int? = nil, transposeB: Bool = false, into c: UnsafeMutablePointer<Float>,
        ldc: Int? = nil, accumulate: Bool
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, blasint(m), blasint(n),
            blasint(k), alpha, a, blasint(lda ?? k), b, blasint(ldb ?? (transposeB ? k : n)), accumulate ? 1 : 0,
            c, blasint(ldc ?? n))
    }

    /// Copies `row` into each of `rows` rows of `matrix`.
    static func fillRows(_ matrix: UnsafeMutablePointer<Float>, with row: UnsafePointer<Float>, rows: Int, width: Int) {
        for index in 0..<rows {
            (matrix + index * width).update(from: row, count: width)
        }
    }

    /// `destination[r] = source[r] + row` for each of `rows` rows.
    static func addRows(
        _ source: UnsafePointer<Float>, _ row: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
        rows: Int, width: Int
    ) {
        for index in 0..<rows {
            let from = source + index * width
            let to = destination + index * width
            for column in 0..<width { to[column] = from[column] + row[column] }
        }
    }

    /// LayerNorm of each row: `(x − mean) / √(variance + ε) · weight + bias`; `source` may equal `destination`.
    static func layerNorm(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, rows: Int, width: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float
    ) {
        let count = Float(width)
        for index in 0..<rows {
            let from = source + index * width
            let to = destination + index * width
            let mean = sum(from, count: width) / count
            let variance = sumOfSquaredDeviations(from, from: mean, count: width) / count
            let inverse = 1 / (variance + epsilon).squareRoot()
            for column in 0..<width { to[column] = (from[column] - mean) * inverse * weight[column] + bias[column] }
        }
    }

    /// GELU in place, `x · ½ · (1 + erf(x / √2))`, with erf as the rational approximation of Eigen and XLA
    /// (x · P(x²) / Q(x²) on [−4, 4], within 5e-7 of erf): branch-free, so the loop vectorises.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count {
            let x = values[index]
            let u = min(max(x * 0.707_106_77, -4), 4)
            let u2 = u * u
            var p: Float = -2.72614225801306e-10
            p = p * u2 + 2.77068142495902e-08
            p = p * u2 - 2.10102402082508e-06
            p = p * u2 - 5.69250639462346e-05
            p = p * u2 - 7.34990630326855e-04
            p = p * u2 - 2.95459980854025e-03
            p = p * u2 - 1.60960333262415e-02
            var q: Float = -1.45660718464996e-05
            q = q * u2 - 2.13374055278905e-04
            q = q * u2 - 1.68282697438203e-03
            q = q * u2 - 7.37332916720468e-03
            q = q * u2 - 1.42647390514189e-02
            values[index] = 0.5 * x * (1 + u * p / q)
        }
    }

    /// Softmax of each row in place.
    static func softmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        guard width > 0 else { return }
        for index in 0..<rows {
            let row = matrix + index * width
            var largest = row[0]
            for column in 1..<width { largest = max(largest, row[column]) }
            for column in 0..<width { row[column] = exponential(row[column] - largest) }
            let inverse = 1 / sum(row, count: width)
            for column in 0..<width { row[column] *= inverse }
        }
    }

    /// `eˣ` for x ≤ 0 (Cephes `expf`: x = n·ln 2 + r, a degree-6 polynomial in r, then 2ⁿ from its bits), within
    /// 1e-7 relative; inputs below −87 give about 1.6e-38. Branch-free, so loops calling it vectorise.
    @inline(__always)
    static func exponential(_ value: Float) -> Float {
        let x = max(value, -87)
        let shifted = x * 1.44269504088896341 + 12_582_912  // 1.5 · 2²³: rounds x · log₂e to an integer n
        let n = shifted - 12_582_912
        let r = (x - n * 0.693_359_375) + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let power = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return (p * r * r + r + 1) * power
    }

    /// The mean of `rows` rows, divided by its L2 norm (at least 1e-12), into `output`.
    static func meanPoolAndNormalize(
        _ matrix: UnsafePointer<Float>, rows: Int, width: Int, into output: UnsafeMutablePointer<Float>
    ) {
        output.update(repeating: 0, count: width)
        for index in 0..<rows {
            let row = matrix + index * width
            for column in 0..<width { output[column] += row[column] }
        }
        let inverseCount = 1 / Float(max(rows, 1))
        for column in 0..<width { output[column] *= inverseCount }
        let norm = sumOfSquaredDeviations(output, from: 0, count: width).squareRoot()
        let inverseNorm = 1 / max(norm, 1e-12)
        for column in 0..<width { output[column] *= inverseNorm }
    }

    /// `Σ values` with eight partial sums.
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var partial = SIMD8<Float>()
        let raw = UnsafeRawPointer(values)
        var index = 0
        while index + 8 <= count {
            partial += raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            index += 8
        }
        var total = partial.sum()
        while index < count {
            total += values[index]
            index += 1
        }
        return total
    }

    /// `Σ (values − center)²` with eight partial sums.
    static func sumOfSquaredDeviations(_ values: UnsafePointer<Float>, from center: Float, count: Int) -> Float {
        var partial = SIMD8<Float>()
        let middle = SIMD8<Float>(repeating: center)
        let raw = UnsafeRawPointer(values)
        var index = 0
        while index + 8 <= count {
            let deviation = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self) - middle
            partial += deviation * deviation
            index += 8
        }
        var total = partial.sum()
        while index < count {
            let deviation = values[index] - center
            total += deviation * deviation
            index += 1
        }
        return total
    }
}
