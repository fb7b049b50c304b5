import COpenBLAS
import EngramCore
import Foundation

/// A BERT encoder with mean pooling and L2 normalisation: token ids in, one unit vector per sequence out.
///
/// Sequences are sorted by length and run in batches whose tokens are packed one after another (no padding):
/// the dense layers are single `sgemm`s over every token of the batch, attention runs per sequence and head.
/// The weights never change after loading, so one encoder serves any number of threads; every call allocates
/// its own scratch memory.
public final class BertEncoder: Sendable {
    /// The architecture.
    public let configuration: BertConfiguration
    let weights: BertWeights

    /// Loads `model.safetensors` at `path` for `configuration`, checking every tensor's dtype and shape.
    public init(safetensorsPath path: String, configuration: BertConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        weights = try BertWeights(file: SafeTensorsFile(path: path), configuration: configuration)
    }

    /// The L2-normalised mean-pooled embedding of every sequence, in order, computed `batchSize` sequences at a
    /// time (shortest first). Every sequence must be non-empty, no longer than the position table, with ids
    /// below the vocabulary size.
    public func embed(_ sequences: [[Int32]], batchSize: Int) -> [[Float]] {
        precondition(batchSize > 0, "batchSize must be positive")
        for sequence in sequences {
            precondition(!sequence.isEmpty && sequence.count <= configuration.maxPositions, "bad sequence length")
            precondition(
                sequence.allSatisfy { $0 >= 0 && Int($0) < configuration.vocabularySize }, "token id out of range")
        }
        let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
        var batches: [ArraySlice<Int>] = []
        var start = 0
        while start < order.count {
            batches.append(order[start..<min(start + batchSize, order.count)])
            start += batchSize
        }
        let hidden = configuration.hiddenSize
        let maxTokens = batches.map { $0.reduce(0) { $0 + sequences[$1].count } }.max() ?? 0
        let maxLength = sequences.map(\.count).max() ?? 0
        let scratch = Scratch(configuration: configuration, tokens: maxTokens, maxLength: maxLength)
        var pooled = [Float](repeating: 0, count: sequences.count * hidden)
        weights.storage.withUnsafeBufferPointer { storage in
            pooled.withUnsafeMutableBufferPointer { pooled in
                var done = 0
                for batch in batches {
                    let members = batch.map { sequences[$0] }
                    forward(members, weights: storage.baseAddress!, scratch: scratch, into: pooled.baseAddress! + done)
                    done += members.count * hidden
                }
            }
        }
        var result = [[Float]](repeating: [], count: sequences.count)
        for (rank, index) in order.enumerated() {
            result[index] = Array(pooled[(rank * hidden)..<((rank + 1) * hidden)])
        }
        return result
    }

    /// Runs one packed batch and writes one pooled, normalised vector per sequence to `output`.
    private func forward(
        _ sequences: [[Int32]], weights base: UnsafePointer<Float>, scratch: Scratch,
        into output: UnsafeMutablePointer<Float>
    ) {
        let hidden = configuration.hiddenSize
        let inner = configuration.intermediateSize
        let epsilon = configuration.layerNormEpsilon
        let tokens = sequences.reduce(0) { $0 + $1.count }
        let x = scratch.hidden
        let residual = scratch.residual

        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let word = base + weights.wordEmbeddings + Int(id) * hidden
                let place = base + weights.positionEmbeddings + position * hidden
                let type = base + weights.tokenTypeEmbedding
                let destination = x + row * hidden
                for column in 0..<hidden { destination[column] = (word[column] + place[column]) + type[column] }
                row += 1
            }
        }
        Kernels.layerNorm(
            x, into: x, rows: tokens, width: hidden, weight: base + weights.embeddingNormWeight,
            bias: base + weights.embeddingNormBias, epsilon: epsilon)

        for layer in weights.layers {
            Kernels.fillRows(scratch.qkv, with: base + layer.qkvBias, rows: tokens, width: 3 * hidden)
            Kernels.gemm(
                m: tokens, n: 3 * hidden, k: hidden, x, base + layer.qkvWeight, into: scratch.qkv, accumulate: true)
            attention(sequences.map(\.count), scratch: scratch)
            Kernels.addRows(x, base + layer.attentionOutputBias, into: residual, rows: tokens, width: hidden)
            Kernels.gemm(
                m: tokens, n: hidden, k: hidden, scratch.context, base + layer.attentionOutputWeight, into: residual,
                accumulate: true)
            Kernels.layerNorm(
                residual, into: x, rows: tokens, width: hidden, weight: base + layer.attentionNormWeight,
                bias: base + layer.attentionNormBias, epsilon: epsilon)

            // The feed-forward block in chunks of rows, so its wide activations stay small.
            var start = 0
            while start < tokens {
                let rows = min(Scratch.feedForwardRows, tokens - start)
                let input = x + start * hidden
                Kernels.fillRows(scratch.intermediate, with: base + layer.intermediateBias, rows: rows, width: inner)
                Kernels.gemm(
                    m: rows, n: inner, k: hidden, input, base + layer.intermediateWeight, into: scratch.intermediate,
                    accumulate: true)
                Kernels.gelu(scratch.intermediate, count: rows * inner)
                Kernels.addRows(
                    input, base + layer.outputBias, into: residual + start * hidden, rows: rows, width: hidden)
                Kernels.gemm(
                    m: rows, n: hidden, k: inner, scratch.intermediate, base + layer.outputWeight,
                    into: residual + start * hidden, accumulate: true)
                start += rows
            }
            Kernels.layerNorm(
                residual, into: x, rows: tokens, width: hidden, weight: base + layer.outputNormWeight,
                bias: base + layer.outputNormBias, epsilon: epsilon)
        }

        row = 0
        for (index, sequence) in sequences.enumerated() {
            Kernels.meanPoolAndNormalize(
                x + row * hidden, rows: sequence.count, width: hidden, into: output + index * hidden)
            row += sequence.count
        }
    }

    /// Self-attention of every sequence and head: `softmax(Q·Kᵀ/√d)·V` into ``Scratch/context``.
    private func attention(_ lengths: [Int], scratch: Scratch) {
        let hidden = configuration.hiddenSize
        let headSize = configuration.headSize
        let scale = 1 / Float(headSize).squareRoot()
        let stride = 3 * hidden
        var row = 0
        for length in lengths {
            let sequence = scratch.qkv + row * stride
            for head in 0..<configuration.attentionHeads {
                let query = sequence + head * headSize
                let key = query + hidden
                let value = query + 2 * hidden
                Kernels.gemm(
                    m: length, n: length, k: headSize, alpha: scale, query, lda: stride, key, ldb: stride,
                    transposeB: true, into: scratch.scores, ldc: length, accumulate: false)
                Kernels.softmaxRows(scratch.scores, rows: length, width: length)
                Kernels.gemm(
                    m: length, n: headSize, k: length, scratch.scores, lda: length, value, ldb: stride,
                    into: scratch.context + row * hidden + head * headSize, ldc: hidden, accumulate: false)
            }
            row += length
        }
    }
}

/// The activations of one `embed` call, sized for its largest batch.
private final class Scratch {
    /// The most rows the feed-forward block works on at once.
    static let feedForwardRows = 1024

    let hidden: UnsafeMutablePointer<Float>
    let residual: UnsafeMutablePointer<Float>
    let qkv: UnsafeMutablePointer<Float>
    let context: UnsafeMutablePointer<Float>
    let intermediate: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>

    init(configuration: BertConfiguration, tokens: Int, maxLength: Int) {
        let rows = max(tokens, 1)
        hidden = .allocate(capacity: rows * configuration.hiddenSize)
        residual = .allocate(capacity: rows * configuration.hiddenSize)
        qkv = .allocate(capacity: rows * 3 * configuration.hiddenSize)
        context = .allocate(capacity: rows * configuration.hiddenSize)
        intermediate = .allocate(capacity: min(rows, Self.feedForwardRows) * configuration.intermediateSize)
        scores = .allocate(capacity: max(maxLength * maxLength, 1))
    }

    deinit {
        for buffer in [hidden, residual, qkv, context, intermediate, scores] { buffer.deallocate() }
    }
}
