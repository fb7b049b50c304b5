import EngramCore

/// How an ``EngramError`` is shown (`error[<code>]: <message>` on standard error) and which exit code it gives.
///
/// Exit codes are stable so scripts can branch on them:
/// - 2: invalid input (`empty_content`, `content_too_large`, `invalid_argument`, `invalid_enum_value`,
///   `invalid_vector`, `invalid_identifier`);
/// - 3: not found (`user_not_found`, `agent_not_found`, `session_not_found`, `memory_not_found`,
///   `message_not_found`, `fact_not_found`, `link_not_found`, `module_not_found`, `key_not_found`,
///   `database_not_found`);
/// - 4: `malformed_import`;
/// - 1: every other code (`already_exists`, `schema_too_new`, `schema_outdated`, `database_read_only`,
///   `not_an_engram_database`, `database_unavailable`, `storage_failure`, …).
/// ArgumentParser's own usage errors exit with 64.
struct EngramErrorReport: Error {
    /// The error being reported.
    let error: EngramError

    /// Wraps `error` when it is an ``EngramError``.
    init?(_ error: any Error) {
        guard let error = error as? EngramError else { return nil }
        self.error = error
    }

    /// The line printed to standard error.
    var text: String { "error[\(error.code.rawValue)]: \(error.message)" }

    /// The process exit code of the error's code.
    var exitCode: Int32 { Self.exitCode(for: error.code) }

    /// The process exit code of `code`.
    static func exitCode(for code: EngramError.Code) -> Int32 {
        switch code {
        case .emptyContent, .contentTooLarge, .invalidArgument, .invalidEnumValue, .invalidVector, .invalidIdentifier:
            2
        case .userNotFound, .agentNotFound, .sessionNotFound, .memoryNotFound, .messageNotFound, .factNotFound,
            .linkNotFound, .moduleNotFound, .keyNotFound, .databaseNotFound:
            3
        case .malformedImport:
            4
        default:
            1
        }
    }
}
