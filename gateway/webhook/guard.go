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
// host is, or resolves to, a loopback, link-local (169.254.169.254, the
// cloud metadata service, is one), private, unspecified or multicast
// address is refused, unless the operator's allow-list names the host or
// a CIDR holding the address. The check runs when a subscription is made
// and again on every delivery, at dial time, on the very address dialled:
// a name that resolved to a public address yesterday may resolve to
// 127.0.0.1 today.
type Guard struct {
	hosts    map[string]bool
	prefixes []netip.Prefix
	resolver Resolver
	dial     DialFunc
}

// NewGuard parses allow (host names, IP addresses or CIDRs) into a guard
// that resolves with resolver and dials with dial (the system's when nil).
func NewGuard(allow []string, resolver Resolver, dial DialFunc) (*Guard, error) {
	g := &Guard{hosts: map[string]bool{}, resolver: resolver, dial: dial}
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

// internal names the class of an address the gateway does not deliver to,
// "" for a public one.
func internal(ip netip.Addr) string {
	ip = ip.Unmap()
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
	return ""
}

func (g *Guard) admitsHost(host string) bool {
	return g.hosts[strings.ToLower(strings.TrimSuffix(host, "."))]
}

func (g *Guard) admits(ip netip.Addr) error {
	ip = ip.Unmap()
	for _, p := range g.prefixes {
		if p.Contains(ip) {
			return nil
		}
	}
	if class := internal(ip); class != "" {
		return fmt.Errorf("%w: %s is a %s address", ErrRefusedAddress, ip, class)
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
