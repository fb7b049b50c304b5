import Foundation

extension Date {
    /// This date to the millisecond: what every store keeps, so that a value read back equals the one written.
    public var roundedToMillisecond: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
