import EngramCore
import Foundation

/// The architecture of a BERT encoder, read from its `config.json`.
public struct BertConfiguration: Sendable, Equatable, Decodable {
    /// The width of every token vector (384 for all-MiniLM-L6-v2).
    public var hiddenSize: Int
    /// The number of attention heads; `hiddenSize` must be a multiple of it.
    public var attentionHeads: Int
    /// The number of transformer layers.
    public var layers: Int
    /// The width of the feed-forward layer.
    public var intermediateSize: Int
    /// The number of rows of the word-embedding table.
    public var vocabularySize: Int
    /// The number of rows of the position-embedding table.
    public var maxPositions: Int
    /// The number of rows of the token-type table.
    public var tokenTypes: Int
    /// The LayerNorm epsilon.
    public var layerNormEpsilon: Float
    /// The feed-forward activation; only `gelu` (the exact, erf form) is supported.
    public var activation: String

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case attentionHeads = "num_attention_heads"
        case layers = "num_hidden_layers"
        case intermediateSize = "intermediate_size"
        case vocabularySize = "vocab_size"
        case maxPositions = "max_position_embeddings"
        case tokenTypes = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case activation = "hidden_act"
    }

    /// Decodes the Hugging Face keys; `type_vocab_size`, `layer_norm_eps` and `hidden_act` have defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try container.decode(Int.self, forKey: .hiddenSize)
        attentionHeads = try container.decode(Int.self, forKey: .attentionHeads)
        layers = try container.decode(Int.self, forKey: .layers)
        intermediateSize = try container.decode(Int.self, forKey: .intermediateSize)
        vocabularySize = try container.decode(Int.self, forKey: .vocabularySize)
        maxPositions = try container.decode(Int.self, forKey: .maxPositions)
        tokenTypes = try container.decodeIfPresent(Int.self, forKey: .tokenTypes) ?? 2
        layerNormEpsilon = Float(try container.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-12)
        activation = try container.decodeIfPresent(String.self, forKey: .activation) ?? "gelu"
    }

    /// The width of one attention head.
    public var headSize: Int { hiddenSize / attentionHeads }

    /// Reads and checks `config.json` at `path`.
    public static func load(path: String) throws -> BertConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngramError.modelNotFound("config.json")
        }
        let configuration: BertConfiguration
        do {
            configuration = try JSONDecoder().decode(BertConfiguration.self, from: data)
        } catch {
            throw EngramError.modelInvalid("config.json is not a BERT configuration")
        }
        try configuration.validate()
        return configuration
    }

    /// Throws `model_invalid` unless every size is positive and the heads divide the hidden size.
    func validate() throws {
        let sizes = [hiddenSize, attentionHeads, layers, intermediateSize, vocabularySize, maxPositions, tokenTypes]
        guard sizes.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }), hiddenSize % attentionHeads == 0 else {
            throw EngramError.modelInvalid("config.json has impossible sizes")
        }
        guard activation == "gelu" else {
            throw EngramError.modelInvalid("config.json asks for the \(activation) activation; only gelu is supported")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon >= 0 else {
            throw EngramError.modelInvalid("config.json has an invalid layer_norm_eps")
        }
    }
}
