import Foundation
import Testing

@testable import EngramCore

/// New ids are version 7 UUIDs: valid, unique, and ordered by the millisecond they were made in.
@Suite struct TimeOrderedIDTests {
    @Test func idsAreVersionSevenWithTheirTimeInFront() throws {
        let date = Date(timeIntervalSince1970: 1_764_806_400.5)  // 2025-12-04T00:00:00.500Z
        let id = UUID.timeOrdered(at: date).uuidString.lowercased()
        let characters = Array(id)
        #expect(characters[14] == "7")
        #expect("89ab".contains(characters[19]))
        // 1,764,806,400,500 ms is 0x019AE6A899F4.
        #expect(id.hasPrefix("019ae6a8-99f4-7"))
        #expect(UUID(uuidString: id) != nil)
    }

    @Test func laterIdsSortLaterAndNoneRepeats() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let ids = (0..<2_000).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0 / 4) / 1_000)) }
            .map { $0.uuidString.lowercased() }
        #expect(Set(ids).count == ids.count)
        // Ids of different milliseconds are in the order they were made; within one millisecond they are random.
        for index in stride(from: 4, to: ids.count, by: 4) { #expect(ids[index - 1] < ids[index]) }
        #expect(UUID.newID() > ids[0])
    }
}
