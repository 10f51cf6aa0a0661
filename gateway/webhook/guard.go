package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Resolver looks a host name up; *net.Resolver is one, tests inject fakes.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc opens a connection to an address that Guard already checked.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Guard keeps subscriptions from aiming the gateway inward: a URL whose
// host is, or resolves to, anything but a public unicast address is
// refused — loopback, link-local (169.254.169.254, a cloud metadata
// service, is one), private, shared (100.64.0.0/10; Alibaba Cloud's
// metadata service is 100.100.100.200), local-use NAT64, reserved and
// special ranges, multicast and broadcast, and the gateway host's own
// addresses (a service listening on 0.0.0.0 there answers on all of them)
// — unless the operator's allow-list names the host or a CIDR holding the
// address. An address of the well-known NAT64 prefix or of 6to4 is judged
// by the IPv4 address it carries. The check runs when a subscription is made
// and again on every delivery, at dial time, on the very address dialled:
// a name that resolved to a public address yesterday may resolve to
// 127.0.0.1 today.
type Guard struct {
	hosts    map[string]bool
	prefixes []netip.Prefix
	resolver Resolver
	dial     DialFunc
	// own lists the gateway host's addresses; tests replace it.
	own func() ([]netip.Addr, error)
}

// NewGuard parses allow (host names, IP addresses or CIDRs) into a guard
// that resolves with resolver and dials with dial (the system's when nil).
func NewGuard(allow []string, resolver Resolver, dial DialFunc) (*Guard, error) {
	g := &Guard{hosts: map[string]bool{}, resolver: resolver, dial: dial, own: interfaceAddrs}
	if g.resolver == nil {
		g.resolver = net.DefaultResolver
	}
	if g.dial == nil {
		g.dial = (&net.Dialer{}).DialContext
	}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if p, err := netip.ParsePrefix(a); err == nil {
			g.prefixes = append(g.prefixes, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(a); err == nil {
			g.prefixes = append(g.prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		if a == "" || strings.ContainsAny(a, "/:[] ") {
			return nil, fmt.Errorf("webhook allow-list entry %q is neither a host name, an IP address nor a CIDR", a)
		}
		g.hosts[strings.ToLower(strings.TrimSuffix(a, "."))] = true
	}
	return g, nil
}

// ErrRefusedAddress is the cause of every refusal of an internal address.
var ErrRefusedAddress = errors.New("refused address")

// denied are the special-purpose ranges (RFC 6890 and its updates) that
// IsGlobalUnicast still counts as unicast but that never lead to a
// partner's public receiver. Several embed an IPv4 address
// (IPv4-compatible, IPv4-translated) and so could smuggle one of the
// refused IPv4 ranges through an IPv6 literal. The well-known NAT64 prefix
// and 6to4 are not here: see embeddedIPv4.
var denied = []struct {
	prefix netip.Prefix
	class  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible"},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated"},
	// Local-use NAT64 (RFC 8215): the operator picks the prefix length and
	// so where the IPv4 address sits; there is no fixed place to judge.
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
}

var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
)

// embeddedIPv4 returns the IPv4 address an address of the well-known
// NAT64 prefix (RFC 6052: the last 32 bits) or of 6to4 (RFC 3056: bits
// 16-47) leads to, and which of the two it is ("" for neither). On an IPv6-only gateway network with DNS64 every
// IPv4-only receiver resolves to 64:ff9b::a.b.c.d, so refusing the prefix
// outright would refuse all of them; judging the carried address instead
// still refuses 64:ff9b::169.254.169.254 and the like.
func embeddedIPv4(ip netip.Addr) (v4 netip.Addr, via string) {
	b := ip.As16()
	switch {
	case nat64WellKnown.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), "NAT64"
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4"
	}
	return netip.Addr{}, ""
}

// internal names the class of an address the gateway does not deliver to,
// "" for a public one. IPv4-mapped, well-known NAT64 and 6to4 addresses
// are judged as the IPv4 address they carry.
func internal(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	if v4, via := embeddedIPv4(ip); via != "" {
		if class := internal(v4); class != "" {
			return fmt.Sprintf("%s (%s of %s)", class, via, v4)
		}
		return ""
	}
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsPrivate():
		return "private"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, d := range denied {
		if d.prefix.Contains(ip) {
			return d.class
		}
	}
	if !ip.IsGlobalUnicast() {
		return "non-unicast"
	}
	return ""
}

// interfaceAddrs lists the addresses of the gateway host's interfaces.
func interfaceAddrs() ([]netip.Addr, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr().Unmap().WithZone(""))
		}
	}
	return out, nil
}

// isOwn reports whether ip is one of the gateway host's addresses. When
// they cannot be listed it answers true: refusing is the safe mistake.
func (g *Guard) isOwn(ip netip.Addr) bool {
	own, err := g.own()
	if err != nil {
		return true
	}
	ip = ip.Unmap().WithZone("")
	v4, via := embeddedIPv4(ip)
	for _, a := range own {
		a = a.Unmap().WithZone("")
		if a == ip || via != "" && a == v4 {
			return true
		}
	}
	return false
}

func (g *Guard) admitsHost(host string) bool {
	return g.hosts[strings.ToLower(strings.TrimSuffix(host, "."))]
}

func (g *Guard) admits(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	for _, p := range g.prefixes {
		if p.Contains(ip) {
			return nil
		}
	}
	if class := internal(ip); class != "" {
		return fmt.Errorf("%w: %s is a %s address", ErrRefusedAddress, ip, class)
	}
	if g.isOwn(ip) {
		return fmt.Errorf("%w: %s is an address of the gateway host", ErrRefusedAddress, ip)
	}
	return nil
}

// resolve returns the addresses of host, each of them admitted.
func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, g.admits(ip)
	}
	ips, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("resolve %s: no address", host)
	}
	for _, ip := range ips {
		if err := g.admits(ip); err != nil {
			return nil, fmt.Errorf("%s resolves to %w", host, err)
		}
	}
	return ips, nil
}

// CheckURL refuses a subscription URL whose host is or resolves to an
// internal address the allow-list does not admit.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("url is not a URL")
	}
	host := u.Hostname()
	if g.admitsHost(host) {
		return nil
	}
	_, err = g.resolve(ctx, host)
	return err
}

// DialContext is the delivery transport's dialer: it resolves the host
// itself, checks every address and dials a checked address, so nothing
// between the check and the connection can swap the address.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if g.admitsHost(host) {
		return g.dial(ctx, network, address)
	}
	ips, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var last error
	for _, ip := range ips {
		c, err := g.dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}
