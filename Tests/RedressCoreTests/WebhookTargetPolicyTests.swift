import RedressCore
import Testing

@Suite("Webhook target policy")
struct WebhookTargetPolicyTests {
    @Test func reservedAddressesAreRefusedAndPublicOnesPass() {
        let policy = WebhookTargetPolicy()
        for text in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.100.100.200",
                     "0.0.0.0", "224.0.0.1", "255.255.255.255", "::", "::1", "::ffff:127.0.0.1", "::ffff:8.8.8.8", "fd00:ec2::254",
                     "fe80::1", "ff02::1", "64:ff9b::a00:1", "2002:a00:1::1"] {
            let address = IPAddress(text)!
            #expect(!policy.permits(address, host: text), "\(text)")
        }
        for text in ["8.8.8.8", "93.184.216.34", "2606:4700::1111"] {
            #expect(policy.permits(IPAddress(text)!, host: text), "\(text)")
        }
    }

    @Test func theAllowListNamesHostsAndBlocks() throws {
        let policy = try WebhookTargetPolicy.parse("bots.internal, 10.20.0.0/16 ,127.0.0.1").get()
        #expect(policy.permits(IPAddress("10.0.0.5")!, host: "bots.internal"), "a named host may resolve anywhere")
        #expect(policy.permits(IPAddress("10.20.3.4")!, host: "hooks.example"))
        #expect(!policy.permits(IPAddress("10.21.3.4")!, host: "hooks.example"))
        #expect(policy.permits(scheme: "http", host: "127.0.0.1") && policy.permits(scheme: "http", host: "BOTS.internal"))
        #expect(!policy.permits(scheme: "http", host: "hooks.example") && policy.permits(scheme: "https", host: "hooks.example"))
        #expect(!policy.permits(scheme: "ftp", host: "bots.internal"))
        #expect(WebhookTargetPolicy.parse("bots.internal, http://x") == .failure(.init(entry: "http://x")))
        #expect(WebhookTargetPolicy.parse("10.0.0.0/33") == .failure(.init(entry: "10.0.0.0/33")))
    }

    @Test func clientKeysGroupIPv6By64() {
        #expect(IPAddress("2001:db8:1:2:aaaa::1")!.clientKey == "2001:db8:1:2::/64")
        #expect(IPAddress("2001:db8:1:2:bbbb::9")!.clientKey == "2001:db8:1:2::/64")
        #expect(IPAddress("203.0.113.7")!.clientKey == "203.0.113.7")
        #expect(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
    }
}
