//! Who the client is, network-wise: the peer's address, or — when the peer is one of the
//! configured reverse proxies or load balancers — the address that proxy says it served. Limits
//! per address count that client, not the proxy all clients share.

use std::net::IpAddr;

use http::HeaderMap;

/// Proxies whose `X-Forwarded-For` is believed, as addresses or CIDR blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

fn bits(ip: &IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

fn prefix_of(ip: &IpAddr, len: u8) -> u128 {
    let (value, width) = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(*v4)), 32),
        IpAddr::V6(v6) => (u128::from(*v6), 128),
    };
    let len = u32::from(len.min(width));
    if len == 0 {
        0
    } else {
        value >> (u32::from(width) - len)
    }
}

impl TrustedProxies {
    /// `10.0.0.0/8, 192.168.1.5, fd00::/8` — comma- or space-separated.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for item in list.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, len) = item.split_once('/').unwrap_or((item, ""));
            let ip: IpAddr = addr.parse().map_err(|_| format!("not an address: {item}"))?;
            let len = match len {
                "" => bits(&ip),
                l => l
                    .parse::<u8>()
                    .ok()
                    .filter(|n| *n <= bits(&ip))
                    .ok_or_else(|| format!("bad prefix length: {item}"))?,
            };
            out.push((ip, len));
        }
        Ok(Self(out))
    }

    fn trusts(&self, ip: &IpAddr) -> bool {
        self.0
            .iter()
            .any(|(net, len)| net.is_ipv4() == ip.is_ipv4() && prefix_of(net, *len) == prefix_of(ip, *len))
    }

    /// The client's address: the peer, or, behind trusted proxies, the nearest address in
    /// `X-Forwarded-For` that is not one of them.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(&peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        forwarded
            .iter()
            .rev()
            .find(|ip| !self.trusts(ip))
            .or(forwarded.first())
            .copied()
            .unwrap_or(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            xff.parse().unwrap_or(http::HeaderValue::from_static("")),
        );
        h
    }

    #[test]
    fn the_client_is_the_first_untrusted_address_from_the_right() {
        let t = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap_or_default();
        let lb: IpAddr = "10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let client = t.client(lb, &headers("203.0.113.9, 198.51.100.7, 10.4.4.4"));
        assert_eq!(
            client.to_string(),
            "198.51.100.7",
            "a client cannot forge past its own address"
        );
        let direct: IpAddr = "198.51.100.20".parse().unwrap_or(lb);
        assert_eq!(
            t.client(direct, &headers("1.2.3.4")),
            direct,
            "only trusted peers are believed"
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("nonsense").is_err());
    }
}
