import Crypto
import Foundation

/// How a webhook receiver knows a page came from Redress and was not replayed: every delivery
/// carries `Redress-Timestamp` (Unix seconds) and `Redress-Signature: v1=<hex>`, the
/// HMAC-SHA256 of `"<timestamp>.<body>"` keyed with the webhook's secret. A receiver recomputes
/// it, compares in constant time, and refuses timestamps outside its tolerance. Inbound mail is
/// signed the same way, keyed with the mail gateway's intake key.
public enum WebhookSignature {
    /// The header with the Unix time the delivery was signed.
    public static let timestampHeader = "Redress-Timestamp"
    /// The header with the signature, `v1=<64 hex digits>`.
    public static let signatureHeader = "Redress-Signature"
    /// The header with the delivery's id (the same on every retry), for dropping repeats.
    public static let deliveryHeader = "Redress-Delivery"

    /// The signature header's value for `body` signed at `timestamp`.
    public static func sign(body: Data, timestamp: Int, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: signedBytes(body: body, timestamp: timestamp), using: key(secret))
        return "v1=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// True when `signature` is a valid signature of `body` at `timestamp`, and `timestamp` is
    /// within `tolerance` of `now`.
    public static func verify(body: Data, timestamp: String?, signature: String?, secret: String, now: Date = Date(),
                              tolerance: TimeInterval = 300) -> Bool {
        guard let timestamp, let seconds = Int(timestamp), abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance,
              let signature, signature.hasPrefix("v1="), let code = hexBytes(signature.dropFirst(3)), code.count == 32
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: signedBytes(body: body, timestamp: seconds), using: key(secret))
    }

    static func signedBytes(body: Data, timestamp: Int) -> Data { Data("\(timestamp).".utf8) + body }

    static func key(_ secret: String) -> SymmetricKey { SymmetricKey(data: Data(secret.utf8)) }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
