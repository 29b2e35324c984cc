//! The optional guard against crawling private addresses, for embedders who crawl URLs they do
//! not trust (server-side request forgery).
//!
//! When on, a request is refused if its host is an IP literal in a non-public range, and host
//! names are resolved through [`PublicOnlyResolver`], which drops non-public addresses and fails
//! when none is left. Redirect targets go through the same path, since the crawler follows
//! redirects itself. Off by default: crawling a local site is a main use of this tool.

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::PrivateAddress;

/// Whether `ip` is a public unicast address. An IPv6 address that embeds an IPv4 one is judged
/// by the IPv4 address it reaches: `64:ff9b::127.0.0.1` through a NAT64 gateway is loopback.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

/// The IPv4 address an IPv6 address stands for, in the forms that carry one:
/// - IPv4-mapped `::ffff:a.b.c.d` and IPv4-compatible `::a.b.c.d` (deprecated; `::` and `::1`
///   come out as `0.0.0.0` and `0.0.0.1`, both non-public, as they should);
/// - IPv4-translated `::ffff:0:a.b.c.d` (RFC 2765);
/// - NAT64 `64:ff9b::a.b.c.d` (RFC 6052); the local-use NAT64 prefix `64:ff9b:1::/48`
///   (RFC 8215) has a site-chosen layout and is refused whole (see `is_public_v6`);
/// - 6to4 `2002:AABB:CCDD::/48` (RFC 3056);
/// - Teredo `2001:0::/32` (RFC 4380): the client's address, stored inverted in the last 32 bits.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        // IPv4-compatible and -mapped, IPv4-translated, NAT64, 6to4.
        [0, 0, 0, 0, 0, 0 | 0xffff, hi, lo]
        | [0, 0, 0, 0, 0xffff, 0, hi, lo]
        | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo]
        | [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        [0x2001, 0, .., hi, lo] => Some(v4(!hi, !lo)),
        _ => None,
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let first = s[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || (first & 0xffc0) == 0xfec0 // site local (deprecated, still routed inside sites)
        || s[..4] == [0x100, 0, 0, 0] // discard-only
        || s[..3] == [0x64, 0xff9b, 1] // local-use NAT64
        || first == 0x2001 && s[1] == 0x0db8) // documentation
}

/// A DNS resolver that keeps only public addresses.
#[derive(Debug, Default)]
pub(crate) struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|addr| is_public(addr.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(PrivateAddress(host)) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::is_private_address_error;
    use rstest::rstest;

    #[rstest]
    #[case("127.0.0.1", false)]
    #[case("10.1.2.3", false)]
    #[case("172.16.0.1", false)]
    #[case("192.168.1.1", false)]
    #[case("169.254.169.254", false)]
    #[case("100.64.0.1", false)]
    #[case("0.0.0.0", false)]
    #[case("::1", false)]
    #[case("fe80::1", false)]
    #[case("fd00::1", false)]
    #[case("::ffff:127.0.0.1", false)]
    #[case("::ffff:10.0.0.1", false)]
    #[case("::ffff:93.184.216.34", true)]
    #[case("::127.0.0.1", false)]
    #[case("::169.254.169.254", false)]
    #[case("::93.184.216.34", true)]
    #[case("::", false)]
    #[case("::ffff:0:127.0.0.1", false)]
    #[case("::ffff:0:192.168.0.1", false)]
    #[case("::ffff:0:93.184.216.34", true)]
    #[case("64:ff9b::127.0.0.1", false)]
    #[case("64:ff9b::7f00:1", false)]
    #[case("64:ff9b::10.0.0.1", false)]
    #[case("64:ff9b::169.254.169.254", false)]
    #[case("64:ff9b::93.184.216.34", true)]
    #[case("64:ff9b:1::a00:1", false)]
    #[case("64:ff9b:1::5db8:d822", false)]
    #[case("fec0::1", false)]
    #[case("100::1", false)]
    #[case("2002:7f00:1::", false)]
    #[case("2002:a9fe:a9fe::1", false)]
    #[case("2002:c0a8:101:1::1", false)]
    #[case("2002:5db8:d822::1", true)]
    #[case("2001:0:4136:e378:8000:63bf:80ff:fffe", false)] // Teredo client 127.0.0.1
    #[case("2001:0:4136:e378:8000:63bf:a247:27dd", true)] // Teredo client 93.184.216.34
    #[case("93.184.216.34", true)]
    #[case("2606:2800:220:1:248:1893:25c8:1946", true)]
    fn classifies(#[case] ip: &str, #[case] public: bool) {
        assert_eq!(is_public(ip.parse().unwrap()), public, "{ip}");
    }

    #[tokio::test]
    async fn resolver_refuses_localhost() {
        let err = PublicOnlyResolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost is refused");
        assert!(is_private_address_error(err.as_ref()));
    }
}
