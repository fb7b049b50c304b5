import ArgumentParser
import EngramCore
import EngramEmbeddings
import Foundation

/// `engram bench embed`: local all-MiniLM-L6-v2 throughput on the dialogue turns of LoCoMo.
struct BenchEmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Measure local all-MiniLM-L6-v2 embedding throughput on LoCoMo dialogue turns.",
        discussion: """
            Embeds every dialogue turn of a LoCoMo file ("speaker: text", plus " [image: caption]" when the turn
            has one, as the LoCoMo retrieval baseline reads them) once per thread count, and prints texts/s and
            the peak resident memory (VmHWM, for the whole process so far). Build with -c release.
            scripts/bench-embed.sh runs it beside the numpy reference implementation.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The LoCoMo JSON file whose turns are embedded.", valueName: "path"))
    var data = "../shared/datasets/locomo/locomo_dev.json"

    @Option(name: .long, help: ArgumentHelp("Embed only the first N turns.", valueName: "n"))
    var limit: Int?

    @Option(name: .customLong("batch-size"), help: "Texts per encoder batch.")
    var batchSize = 32

    @Option(
        name: .long,
        help: ArgumentHelp("OpenBLAS thread counts to run with, one run each, comma-separated.", valueName: "list"))
    var threads = "1,2"

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1.") }
        guard threadCounts != nil else {
            throw ValidationError("--threads must be a comma-separated list of positive numbers, such as 1,2.")
        }
    }

    /// The parsed `--threads` list, or `nil` when it is malformed.
    var threadCounts: [Int]? {
        let counts = threads.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return counts.compactMap { $0 }
    }

    /// One timed pass over every text.
    struct Run: Codable {
        var threads: Int
        var texts: Int
        var seconds: Double
        var textsPerSecond: Double
        /// VmHWM of the process after the run, in MiB (`nil` where /proc is unavailable).
        var peakRSSMiB: Double?
    }

    /// What `--json` prints.
    struct Report: Codable {
        var model: String
        var data: String
        var texts: Int
        var inputTokens: Int
        var batchSize: Int
        var loadSeconds: Double
        var runs: [Run]
    }

    mutating func run() async throws {
        let texts = try Self.turns(path: data, limit: limit)
        let clock = ContinuousClock()
        let loadStart = clock.now
        let embedder = try MiniLMEmbedder(directory: global.embedding.modelPath, batchSize: batchSize)
        let loadSeconds = (clock.now - loadStart).seconds
        let tokens = texts.reduce(0) { $0 + embedder.tokenCount($1) }
        var runs: [Run] = []
        let previousThreads = blasThreads()
        defer { setBLASThreads(previousThreads) }
        for count in threadCounts ?? [1] {
            setBLASThreads(count)
            let start = clock.now
            let vectors = embedder.encode(texts)
            let seconds = (clock.now - start).seconds
            precondition(vectors.count == texts.count)
            runs.append(
                Run(
                    threads: count, texts: texts.count, seconds: seconds,
                    textsPerSecond: Double(texts.count) / max(seconds, 1e-9), peakRSSMiB: Self.peakRSSMiB()))
        }
        let report = Report(
            model: embedder.model, data: data, texts: texts.count, inputTokens: tokens, batchSize: batchSize,
            loadSeconds: loadSeconds, runs: runs)
        if global.json {
            try Output.json(report)
        } else {
            print(report)
        }
    }

    private func print(_ report: Report) {
        Output.printFields([
            ("model", "\(report.model), loaded in \(String(format: "%.2f", report.loadSeconds)) s"),
            ("data", report.data),
            (
                "texts",
                "\(report.texts) (\(report.inputTokens) input tokens, "
                    + "\(String(format: "%.1f", Double(report.inputTokens) / Double(max(report.texts, 1)))) per text)"
            ),
            ("batch size", "\(report.batchSize)"),
        ])
        Output.line()
        let rows = report.runs.map { run in
            [
                "\(run.threads)", "\(run.texts)", String(format: "%.2f", run.seconds),
                String(format: "%.1f", run.textsPerSecond),
                run.peakRSSMiB.map { String(format: "%.0f MiB", $0) } ?? "-",
            ]
        }
        Output.printTable(["threads", "texts", "seconds", "texts/s", "peak RSS"], rows, empty: "no runs")
    }

    /// The documents of every dialogue turn of a LoCoMo file, conversation by conversation, sessions in order.
    static func turns(path: String, limit: Int?) throws -> [String] {
        let unreadable = EngramError(
            .invalidArgument,
            "The LoCoMo file cannot be read as a list of samples with sessions of turns; pass --data with the path "
                + "of locomo_dev.json (../shared/datasets/locomo/ by default).")
        guard let data = FileManager.default.contents(atPath: path),
            let samples = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { throw unreadable }
        var texts: [String] = []
        for sample in samples {
            guard let conversation = sample["conversation"] as? [String: Any] else { throw unreadable }
            let sessions = conversation.keys.compactMap { key -> (number: Int, key: String)? in
                let digits = key.dropFirst(8)
                guard key.hasPrefix("session_"), !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let number = Int(digits)
                else { return nil }
                return (number, key)
            }
            for session in sessions.sorted(by: { ($0.number, $0.key) < ($1.number, $1.key) }) {
                guard let turns = conversation[session.key] as? [[String: Any]] else { throw unreadable }
                for turn in turns {
                    let speaker = turn["speaker"] as? String ?? ""
                    var text = "\(speaker): \(turn["text"] as? String ?? "")"
                    if let caption = turn["blip_caption"] as? String, !caption.isEmpty {
                        text += " [image: \(caption)]"
                    }
                    texts.append(text)
                }
            }
        }
        return limit.map { Array(texts.prefix($0)) } ?? texts
    }

    /// The process's peak resident set size (VmHWM) in MiB, from /proc/self/status.
    static func peakRSSMiB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }
}
