import ArgumentParser
import EngramCore

/// `engram maintain`: decay, expiry, orphan cleanup and purges for the user.
struct MaintainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintain",
        abstract:
            "Run upkeep for the user: consolidation, decay sweep, fact expiry, orphan cleanup and optional purges.")

    @OptionGroup var global: GlobalOptions

    @Flag(
        name: .customLong("no-consolidate"),
        help: "Skip consolidation (deferred extraction, fact promotion, session episodes).")
    var noConsolidate = false

    @Flag(name: .customLong("no-decay"), help: "Skip the decay sweep.")
    var noDecay = false

    @Flag(name: .customLong("no-facts"), help: "Keep expired working facts.")
    var noFacts = false

    @Flag(name: .customLong("no-orphans"), help: "Skip the orphan cleanup.")
    var noOrphans = false

    @Option(
        name: .customLong("purge-older-than-days"), help: "Hard-delete memories created more than this many days ago.")
    var purgeOlderThanDays: Double?

    @Option(name: .customLong("purge-context-type"), help: "Only purge memories of this context type (repeatable).")
    var purgeContextTypes: [String] = []

    @Option(name: .customLong("message-retention-days"), help: "Delete messages older than this many days.")
    var messageRetentionDays: Double?

    func validate() throws {
        if !purgeContextTypes.isEmpty, purgeOlderThanDays == nil {
            throw ValidationError("--purge-context-type narrows a purge; add --purge-older-than-days N.")
        }
    }

    mutating func run() async throws {
        let options = MaintenanceOptions(
            consolidate: !noConsolidate, decaySweep: !noDecay, expireWorkingFacts: !noFacts,
            messageRetention: try ArgumentValues.seconds(
                days: messageRetentionDays, option: "--message-retention-days"),
            removeOrphans: !noOrphans,
            purgeOlderThan: try ArgumentValues.seconds(days: purgeOlderThanDays, option: "--purge-older-than-days"),
            purgeContextTypes: try ArgumentValues.set(purgeContextTypes, as: ContextType.self))
        try await global.withService(.write) { store in
            let report = try await store.maintain(userID: global.userID, options: options)
            if global.json {
                try Output.json(report)
                return
            }
            let consolidation = report.consolidation
            Output.printFields([
                ("extracted turns", "\(consolidation.extractedTurns)"),
                ("promoted facts", "\(consolidation.promotedFacts)"),
                ("superseded memories", "\(consolidation.supersededMemories)"),
                ("episodes", "\(consolidation.episodes)"),
                ("decayed", "\(report.decayed)"),
                ("forgotten", "\(report.forgotten)"),
                ("expired working facts", "\(report.expiredWorkingFacts)"),
                ("expired messages", "\(report.expiredMessages)"),
                ("removed orphans", "\(report.removedOrphans)"),
                ("purged", "\(report.purged)"),
            ])
        }
    }
}
