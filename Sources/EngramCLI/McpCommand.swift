import ArgumentParser
import EngramCore
import EngramMCP
import Logging
import MCP

/// `engram mcp`: Engram's memory tools for an MCP client (Claude Desktop, an agent framework) over standard input
/// and output, acting for one user.
struct McpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the memory tools to an MCP client over standard input and output, for --user.",
        discussion: """
            The client starts this command and speaks JSON-RPC on its standard input and output; it runs until its \
            input closes. Every tool acts for the user of --user (or $ENGRAM_USER), created when missing; no tool can \
            name another user. Logs go to standard error (--verbose for more).
            """)

    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        let logger = Self.logger(verbose: global.verbose)
        let userID = global.userID
        try await global.withService(.write) { service in
            _ = try await service.createUser(UserDraft(id: userID))
            logger.info("serving MCP over stdio", metadata: ["user": "\(userID)"])
            try await EngramMCPServer(service: service, userID: userID, logger: logger)
                .serve(over: StdioTransport(logger: logger))
        }
    }

    /// Standard output carries JSON-RPC only: logs go to standard error, whatever the logging system's default.
    static func logger(verbose: Bool) -> Logger {
        var logger = Logger(label: "engram.mcp") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}
