/// The evidence of a LoCoMo question as the baseline (`locomo_retrieval.py`) reads it.
///
/// Each evidence string is split on `;`, `,` and whitespace; each piece that is `D<n>:<m>` or `D:<n>:<m>` becomes
/// `D<n>:<m>` with the numbers written without leading zeros ("D:11:26" → "D11:26", "D30:05" → "D30:5"); pieces
/// that are not, ids that are not turns of the conversation, and repeats are dropped. A question whose evidence
/// ends up empty is not asked.
enum LocomoEvidence {
    /// The normalised evidence of `evidence`, in order, keeping only ids in `valid`.
    static func normalise(_ evidence: [String], valid: Set<String>) -> [String] {
        var normalised: [String] = []
        for entry in evidence {
            for piece in entry.split(whereSeparator: { $0 == ";" || $0 == "," || $0.isWhitespace }) {
                guard let id = turnID(piece), valid.contains(id), !normalised.contains(id) else { continue }
                normalised.append(id)
            }
        }
        return normalised
    }

    /// `D<n>:<m>` for a piece that is `D<n>:<m>` or `D:<n>:<m>` (ASCII digits), else `nil`.
    static func turnID(_ piece: Substring) -> String? {
        guard piece.first == "D" else { return nil }
        var rest = piece.dropFirst()
        if rest.first == ":" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let session = Int(parts[0]), let turn = Int(parts[1])
        else { return nil }
        return "D\(session):\(turn)"
    }
}
