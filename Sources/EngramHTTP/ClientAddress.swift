import Foundation
import HTTPTypes
import NIOCore

/// Who a request comes from, as failed authentications count it: the other end of the connection, or, when that
/// is a trusted reverse proxy (``HTTPServerConfiguration/trustedProxies``), the client the proxies name in
/// `X-Forwarded-For`.
enum ClientAddress {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// `peer`, unless it is a trusted proxy: then the last address of `X-Forwarded-For` that is not a trusted proxy
    /// (the one the outermost trusted proxy saw connect). Each proxy appends the address it saw, so what a client
    /// writes in the header itself stays to the left of that and never decides. A hop that is not an IP address
    /// ends the walk at `peer`, and so does a header of trusted proxies only.
    static func resolve(peer: String, headers: HTTPFields, trustedProxies: Set<String>) -> String {
        guard trustedProxies.contains(peer) else { return peer }
        let hops = headers[values: forwardedFor].flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            guard let address = canonical(String(hop)) else { return peer }
            if !trustedProxies.contains(address) { return address }
        }
        return peer
    }

    /// `text` as an IP address in the form the server prints a peer's (IPv6 compressed, brackets dropped), or
    /// `nil` when it is not one.
    static func canonical(_ text: String) -> String? {
        var address = text.trimmingCharacters(in: .whitespaces)
        if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        return (try? SocketAddress(ipAddress: address, port: 0))?.ipAddress
    }
}
