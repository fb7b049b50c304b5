/// The word pieces of a BERT `vocab.txt`, looked up by exact Unicode scalars (as Python compares strings), not by
/// Swift's canonical string equivalence, and without allocating for each candidate piece.
///
/// An entry written `##piece` is stored as the continuation form of `piece`.
struct WordPieceVocabulary: Sendable {
    /// The scalars of every entry (without a `##` prefix), one after another.
    private let scalars: [UInt32]
    /// Where each entry starts in ``scalars``; entry `i` ends where entry `i + 1` starts.
    private let starts: [Int32]
    /// Whether each entry was written with a `##` prefix.
    private let continuations: [Bool]
    /// Open-addressing table of entry ids (`-1` marks a free slot); its size is a power of two.
    private let slots: [Int32]

    /// The number of entries.
    var count: Int { continuations.count }

    /// Builds the table from the lines of `vocab.txt`, in id order; a later duplicate wins, as in a Python dict.
    init(tokens: [String]) {
        var scalars: [UInt32] = []
        var starts: [Int32] = []
        var continuations: [Bool] = []
        for token in tokens {
            let all = token.unicodeScalars.map(\.value)
            let isContinuation = all.count > 2 && all[0] == 0x23 && all[1] == 0x23
            starts.append(Int32(scalars.count))
            continuations.append(isContinuation)
            scalars.append(contentsOf: isContinuation ? all.dropFirst(2) : all[...])
        }
        starts.append(Int32(scalars.count))
        var capacity = 1
        while capacity < tokens.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: max(capacity, 2))
        let mask = slots.count - 1
        for id in tokens.indices {
            let lower = Int(starts[id])
            let upper = Int(starts[id + 1])
            var slot =
                scalars.withUnsafeBufferPointer { buffer in
                    Self.hash(buffer.baseAddress! + lower, count: upper - lower, continuation: continuations[id])
                } & mask
            while slots[slot] >= 0 {
                let other = Int(slots[slot])
                if continuations[other] == continuations[id],
                    scalars[Int(starts[other])..<Int(starts[other + 1])] == scalars[lower..<upper]
                {
                    break
                }
                slot = (slot + 1) & mask
            }
            slots[slot] = Int32(id)
        }
        self.scalars = scalars
        self.starts = starts
        self.continuations = continuations
        self.slots = slots
    }

    /// The id of the piece `piece[0..<count]` (as a `##` continuation when `continuation`), if in the vocabulary.
    func id(of piece: UnsafePointer<UInt32>, count: Int, continuation: Bool) -> Int32? {
        let mask = slots.count - 1
        var slot = Self.hash(piece, count: count, continuation: continuation) & mask
        return scalars.withUnsafeBufferPointer { stored in
            while true {
                let id = slots[slot]
                if id < 0 { return nil }
                let lower = Int(starts[Int(id)])
                let upper = Int(starts[Int(id) + 1])
                if continuations[Int(id)] == continuation, upper - lower == count,
                    memcmpScalars(stored.baseAddress! + lower, piece, count)
                {
                    return id
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The id of `token` written as in `vocab.txt` (such as `[CLS]` or `##ing`).
    func id(of token: String) -> Int32? {
        var all = token.unicodeScalars.map(\.value)
        let isContinuation = all.count > 2 && all[0] == 0x23 && all[1] == 0x23
        if isContinuation { all.removeFirst(2) }
        return all.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                return withUnsafePointer(to: UInt32(0)) { id(of: $0, count: 0, continuation: false) }
            }
            return id(of: base, count: buffer.count, continuation: isContinuation)
        }
    }

    /// FNV-1a over the scalars, seeded differently for continuation pieces.
    private static func hash(_ piece: UnsafePointer<UInt32>, count: Int, continuation: Bool) -> Int {
        var hash: UInt64 = continuation ? 0x8422_2325_cbf2_9ce4 : 0xcbf2_9ce4_8422_2325
        for index in 0..<count {
            hash ^= UInt64(piece[index])
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}

/// Whether `count` scalars at `a` and `b` are equal.
private func memcmpScalars(_ a: UnsafePointer<UInt32>, _ b: UnsafePointer<UInt32>, _ count: Int) -> Bool {
    for index in 0..<count where a[index] != b[index] { return false }
    return true
}
