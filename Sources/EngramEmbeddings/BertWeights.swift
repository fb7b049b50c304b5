import EngramCore

/// Every parameter of a BERT encoder in one flat `Float` array, matrices stored `[input][output]` (transposed from
/// the checkpoint's `[output][input]`) so products are plain row-major `x · W`; query, key and value are fused.
struct BertWeights: Sendable {
    /// Where one transformer layer's parameters start in ``storage``.
    struct Layer: Sendable {
        /// `[hidden][3 · hidden]`: query, key and value columns side by side.
        var qkvWeight = 0
        var qkvBias = 0
        var attentionOutputWeight = 0
        var attentionOutputBias = 0
        var attentionNormWeight = 0
        var attentionNormBias = 0
        /// `[hidden][intermediate]`.
        var intermediateWeight = 0
        var intermediateBias = 0
        /// `[intermediate][hidden]`.
        var outputWeight = 0
        var outputBias = 0
        var outputNormWeight = 0
        var outputNormBias = 0
    }

    /// `[vocabulary][hidden]`.
    let wordEmbeddings: Int
    /// `[positions][hidden]`.
    let positionEmbeddings: Int
    /// The token-type-0 row (every input is a single segment).
    let tokenTypeEmbedding: Int
    let embeddingNormWeight: Int
    let embeddingNormBias: Int
    let layers: [Layer]
    /// All parameters.
    let storage: [Float]

    /// Reads every tensor of `file`, checking names, dtypes and shapes against `configuration`.
    init(file: SafeTensorsFile, configuration: BertConfiguration) throws {
        let hidden = configuration.hiddenSize
        let inner = configuration.intermediateSize
        var total = 0
        func reserve(_ count: Int) -> Int {
            defer { total += count }
            return total
        }
        wordEmbeddings = reserve(configuration.vocabularySize * hidden)
        positionEmbeddings = reserve(configuration.maxPositions * hidden)
        tokenTypeEmbedding = reserve(hidden)
        embeddingNormWeight = reserve(hidden)
        embeddingNormBias = reserve(hidden)
        var layers: [Layer] = []
        for _ in 0..<configuration.layers {
            var layer = Layer()
            layer.qkvWeight = reserve(hidden * 3 * hidden)
            layer.qkvBias = reserve(3 * hidden)
            layer.attentionOutputWeight = reserve(hidden * hidden)
            layer.attentionOutputBias = reserve(hidden)
            layer.attentionNormWeight = reserve(hidden)
            layer.attentionNormBias = reserve(hidden)
            layer.intermediateWeight = reserve(hidden * inner)
            layer.intermediateBias = reserve(inner)
            layer.outputWeight = reserve(inner * hidden)
            layer.outputBias = reserve(hidden)
            layer.outputNormWeight = reserve(hidden)
            layer.outputNormBias = reserve(hidden)
            layers.append(layer)
        }
        self.layers = layers
        let embeddings = (
            word: wordEmbeddings, position: positionEmbeddings, type: tokenTypeEmbedding,
            normWeight: embeddingNormWeight, normBias: embeddingNormBias
        )
        storage = try [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            let base = buffer.baseAddress!
            func into(_ offset: Int, _ count: Int) -> UnsafeMutableBufferPointer<Float> {
                UnsafeMutableBufferPointer(start: base + offset, count: count)
            }
            try file.read(
                "embeddings.word_embeddings.weight", shape: [configuration.vocabularySize, hidden],
                into: into(embeddings.word, configuration.vocabularySize * hidden))
            try file.read(
                "embeddings.position_embeddings.weight", shape: [configuration.maxPositions, hidden],
                into: into(embeddings.position, configuration.maxPositions * hidden))
            let types = try file.read(
                "embeddings.token_type_embeddings.weight", shape: [configuration.tokenTypes, hidden])
            _ = into(embeddings.type, hidden).initialize(from: types.prefix(hidden))
            try file.read("embeddings.LayerNorm.weight", shape: [hidden], into: into(embeddings.normWeight, hidden))
            try file.read("embeddings.LayerNorm.bias", shape: [hidden], into: into(embeddings.normBias, hidden))
            for (index, layer) in layers.enumerated() {
                let prefix = "encoder.layer.\(index)."
                for (part, name) in ["query", "key", "value"].enumerated() {
                    let weight = try file.read(prefix + "attention.self.\(name).weight", shape: [hidden, hidden])
                    Self.transpose(
                        weight, rows: hidden, columns: hidden, into: base + layer.qkvWeight + part * hidden,
                        stride: 3 * hidden)
                    try file.read(
                        prefix + "attention.self.\(name).bias", shape: [hidden],
                        into: into(layer.qkvBias + part * hidden, hidden))
                }
                let matrices = [
                    ("attention.output.dense", layer.attentionOutputWeight, layer.attentionOutputBias, hidden, hidden),
                    ("intermediate.dense", layer.intermediateWeight, layer.intermediateBias, inner, hidden),
                    ("output.dense", layer.outputWeight, layer.outputBias, hidden, inner),
                ]
                for (name, weightOffset, biasOffset, outputs, inputs) in matrices {
                    let weight = try file.read(prefix + name + ".weight", shape: [outputs, inputs])
                    Self.transpose(weight, rows: outputs, columns: inputs, into: base + weightOffset, stride: outputs)
                    try file.read(prefix + name + ".bias", shape: [outputs], into: into(biasOffset, outputs))
                }
                let norms = [
                    ("attention.output.LayerNorm", layer.attentionNormWeight, layer.attentionNormBias),
                    ("output.LayerNorm", layer.outputNormWeight, layer.outputNormBias),
                ]
                for (name, weightOffset, biasOffset) in norms {
                    try file.read(prefix + name + ".weight", shape: [hidden], into: into(weightOffset, hidden))
                    try file.read(prefix + name + ".bias", shape: [hidden], into: into(biasOffset, hidden))
                }
            }
            initialized = total
        }
    }

    /// Writes the `rows × columns` matrix `source` transposed: `destination[c · stride + r] = source[r][c]`.
    private static func transpose(
        _ source: [Float], rows: Int, columns: Int, into destination: UnsafeMutablePointer<Float>, stride: Int
    ) {
        source.withUnsafeBufferPointer { source in
            for row in 0..<rows {
                for column in 0..<columns {
                    destination[column * stride + row] = source[row * columns + column]
                }
            }
        }
    }
}
