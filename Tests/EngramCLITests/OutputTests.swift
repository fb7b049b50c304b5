import Foundation
import Testing

@testable import EngramCLI

@Suite("output and argument helpers")
struct OutputTests {
    @Test func tablesAlignColumns() {
        let table = Output.table(["A", "LONG HEADER", "C"], [["xyz", "1", "last"], ["q", "22", ""]])
        #expect(
            table == """
                A    LONG HEADER  C
                xyz  1            last
                q    22
                """)
    }

    @Test func truncationKeepsOneLine() {
        #expect(Output.truncate("one\ntwo", to: 20) == "one two")
        #expect(Output.truncate("abcdefghij", to: 5) == "abcd…")
    }

    @Test func isoDatesAndDateTimesParse() throws {
        #expect(try ArgumentValues.date("2025-01-31") == Date(timeIntervalSince1970: 1_738_281_600))
        #expect(try ArgumentValues.date("2025-01-31T09:30:00Z") == Date(timeIntervalSince1970: 1_738_315_800))
        #expect(
            try ArgumentValues.date("2025-01-31T10:30:00.500+01:00") == Date(timeIntervalSince1970: 1_738_315_800.5))
        #expect(throws: (any Error).self) { try ArgumentValues.date("31/01/2025") }
    }

    @Test func exitCodesAreStable() {
        #expect(EngramErrorReport.exitCode(for: .invalidEnumValue) == 2)
        #expect(EngramErrorReport.exitCode(for: .emptyContent) == 2)
        #expect(EngramErrorReport.exitCode(for: .sessionNotFound) == 3)
        #expect(EngramErrorReport.exitCode(for: .malformedImport) == 4)
        #expect(EngramErrorReport.exitCode(for: .storageFailure) == 1)
        #expect(EngramErrorReport.exitCode(for: .alreadyExists) == 1)
    }

    @Test func helpGoesToStandardOutput() async {
        let run = await CLI.execute(["--help"])
        #expect(run.exitCode == 0)
        #expect(run.output.contains("USAGE: engram"))
        let usage = await CLI.execute(["import"])
        #expect(usage.exitCode == 64)
        #expect(usage.error.contains("Missing expected argument"))
        let nothing = await CLI.execute(["remember"])
        #expect(nothing.exitCode == 64)
        #expect(nothing.error.contains("Pass the text to remember, or --file PATH"))
    }
}
