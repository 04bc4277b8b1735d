#!/usr/bin/env python3
"""A user-space tunnel endpoint for a TUN real server (jlvs system tests; Python 3 standard library only).

It stands in for the kernel's decapsulation -- tunl0 (ipip), fou/gue, gre0 (ip_gre) and ip6tnl0 (ip6_tunnel) --
which the kernel of the test machine lacks (`ip link add type ipip` says "Unknown device type"). It opens a TUN
device (/dev/net/tun, IFF_TUN | IFF_NO_PI), receives the director's encapsulated packets on raw and UDP sockets,
strips the tunnel headers and writes the inner packet to the TUN device; the kernel then takes it as received
on that device, as it would from tunl0, and the real server (VIP on lo, rp_filter off) answers the client
directly.

  IPIP  raw IPv4 socket, protocol 4:   | outer IPv4 (IHL*4) | inner IPv4 ... |
  GRE   raw IPv4 socket, protocol 47:  | outer IPv4 | C . . . ver 0 (2) | 0x0800 (2) | [csum (2) | rsvd (2)] | inner |
  GUE   raw IPv4 socket, protocol 17:  | outer IPv4 | UDP to the tunnel port (8) | ver 0, C, hlen (1) | proto 4 (1) |
                                       | flags (2) | options (hlen*4) | inner IPv4 ... |
  6in6  raw IPv6 socket, protocol 41:  | inner IPv6 ... |  (the kernel strips the outer IPv6 header)

A GRE checksum (C bit) and GUE's remote checksum offload (PRIV flag, REMCSUM private flag) are honoured: a bad
GRE checksum is counted and the packet dropped; REMCSUM's partial inner checksum is completed here. So is GUE's
UDP checksum when present (a raw socket sees the datagram before UDP checks it). The inner TCP/UDP checksum is
checked too; one the client's offload left partial (the director forwards it so, as the kernel does) is completed,
as the kernel would on delivery; any other wrong one is counted as bad and the packet dropped.

Usage: tun-decap.py TUN_NAME GUE_PORT
Prints "ready" once every socket is open, then one line the first time each kind (and checksum) is decapsulated
("first ipip 198.19.0.1 ttl=63 df=1 -> 198.19.0.11 inner 198.18.0.2 -> 198.18.0.100 csum=no"), and every bad packet.
SIGTERM prints the counts and ends it.
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
GRE_C = 0x8000
GUE_PRIV = 0x0001
GUE_REMCSUM = 0x80000000

counts = {"ipip": 0, "gre": 0, "gue": 0, "ip6ip6": 0, "partial": 0, "bad": 0}
seen = set()


def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def inner_addrs(inner):
    if inner and inner[0] >> 4 == 6 and len(inner) >= 40:
        return socket.inet_ntop(socket.AF_INET6, inner[8:24]), socket.inet_ntop(socket.AF_INET6, inner[24:40])
    if inner and inner[0] >> 4 == 4 and len(inner) >= 20:
        return socket.inet_ntoa(inner[12:16]), socket.inet_ntoa(inner[16:20])
    return "?", "?"


def bad(kind, why):
    counts["bad"] += 1
    print("bad %s: %s" % (kind, why), flush=True)


def l4_checksum(inner):
    """(where the TCP/UDP checksum is, the pseudo-header sum, the right checksum) of an inner packet, or None."""
    if inner[0] >> 4 == 4:
        ihl = (inner[0] & 0x0F) * 4
        proto, total = inner[9], struct.unpack("!H", inner[2:4])[0]
        if struct.unpack("!H", inner[6:8])[0] & 0x3FFF:
            return None  # a fragment: only the whole datagram has a checksum
        pseudo = inner[12:20] + struct.pack("!BBH", 0, proto, total - ihl)
        l4, end = ihl, total
    else:
        proto, plen = inner[6], struct.unpack("!H", inner[4:6])[0]
        pseudo = inner[8:40] + struct.pack("!IxxxB", plen, proto)
        l4, end = 40, 40 + plen
    if proto not in (6, 17) or end > len(inner):
        return None
    field = l4 + (16 if proto == 6 else 6)
    if field + 2 > end:
        return None
    segment = bytearray(inner[l4:end])
    segment[field - l4:field - l4 + 2] = b"\0\0"
    right = 0xFFFF & ~ones_sum(pseudo + bytes(segment))
    if proto == 17 and right == 0:
        right = 0xFFFF
    return field, ones_sum(pseudo), right


def finish_inner_checksum(kind, inner):
    """
    The inner packet as the kernel would take it from tunl0. A sender's checksum offload (veth, a local client)
    leaves the TCP/UDP checksum partial -- the field holds the pseudo-header sum -- and the director forwards it
    so (CHECKSUM_PARTIAL travels with the skb inside the kernel, decapsulated or not); a raw socket hands us the
    bytes unfinished, so that case is completed here. Any other wrong checksum is the director's fault: None.
    """
    found = l4_checksum(inner)
    if found is None:
        return inner
    field, pseudo, right = found
    (value,) = struct.unpack("!H", inner[field:field + 2])
    if value == right or (value == 0 and inner[0] >> 4 == 4 and inner[9] == 17):
        return inner
    if value == pseudo:
        counts["partial"] += 1
        return inner[:field] + struct.pack("!H", right) + inner[field + 2:]
    bad(kind, "inner checksum 0x%04x, want 0x%04x" % (value, right))
    return None


def deliver(tun, kind, outer, outer_dst, inner, csum):
    inner = finish_inner_checksum(kind, bytes(inner))
    if inner is None:
        return
    counts[kind] += 1
    if (kind, csum) not in seen:
        seen.add((kind, csum))
        src, dst = inner_addrs(inner)
        if isinstance(outer, str):  # IPv6: the kernel kept the outer header, we have its source
            head = outer
        else:
            df = struct.unpack("!H", outer[6:8])[0] >> 14 & 1
            head = "%s ttl=%d df=%d" % (socket.inet_ntoa(outer[12:16]), outer[8], df)
            outer_dst = outer_dst or socket.inet_ntoa(outer[16:20])
        print("first %s %s -> %s inner %s -> %s csum=%s" % (kind, head, outer_dst, src, dst, csum), flush=True)
    os.write(tun, inner)


def ipip(tun, pkt):
    ihl = (pkt[0] & 0x0F) * 4
    inner = pkt[ihl:]
    if len(inner) < 20 or inner[0] >> 4 != 4:
        return bad("ipip", "inner packet is not IPv4")
    deliver(tun, "ipip", pkt, None, inner, "no")


def gre(tun, pkt):
    ihl = (pkt[0] & 0x0F) * 4
    g = pkt[ihl:]
    if len(g) < 4:
        return bad("gre", "short header")
    flags, proto = struct.unpack("!HH", g[:4])
    if flags & 0x7FFF or proto != 0x0800:
        return bad("gre", "flags 0x%04x protocol 0x%04x (want no K/S/version, 0x0800)" % (flags, proto))
    hlen = 8 if flags & GRE_C else 4
    if flags & GRE_C and ones_sum(g) != 0xFFFF:
        return bad("gre", "checksum")
    deliver(tun, "gre", pkt, None, g[hlen:],
            "yes" if flags & GRE_C else "no")


def gue(tun, pkt, gue_port):
    ihl = (pkt[0] & 0x0F) * 4
    udp = pkt[ihl:ihl + 8]
    if len(udp) < 8 or struct.unpack("!H", udp[2:4])[0] != gue_port:
        return  # some other UDP datagram
    length, udp_csum = struct.unpack("!HH", udp[4:8])
    if udp_csum:
        pseudo = pkt[12:20] + struct.pack("!BBH", 0, 17, length)
        if ones_sum(pseudo + pkt[ihl:ihl + length]) != 0xFFFF:
            return bad("gue", "UDP checksum 0x%04x" % udp_csum)
    data = pkt[ihl + 8:ihl + length]
    if len(data) < 4:
        return bad("gue", "short header")
    first, proto, flags = struct.unpack("!BBH", data[:4])
    if first >> 6 != 0 or first & 0x20 or proto != 4:
        return bad("gue", "version/C/protocol 0x%02x %d (want version 0 data, IPIP)" % (first, proto))
    hlen = 4 + (first & 0x1F) * 4
    inner = bytearray(data[hlen:])
    csum = "yes" if udp_csum else "no"
    if flags & GUE_PRIV:
        if hlen < 8:
            return bad("gue", "PRIV flag without private flags")
        (priv,) = struct.unpack("!I", data[4:8])
        if priv & GUE_REMCSUM:
            if hlen < 12:
                return bad("gue", "REMCSUM without its option")
            start, offset = struct.unpack("!HH", data[8:12])
            if offset + 2 > len(inner) or start > offset:
                return bad("gue", "REMCSUM start %d offset %d past the packet" % (start, offset))
            # the field holds the pseudo-header sum; the checksum covers everything from start on
            value = 0xFFFF & ~ones_sum(bytes(inner[start:]))
            inner[offset:offset + 2] = struct.pack("!H", value)
            csum += ",remote"
    if len(inner) < 20 or inner[0] >> 4 != 4:
        return bad("gue", "inner packet is not IPv4")
    deliver(tun, "gue", pkt, "port %d" % gue_port, bytes(inner), csum)


def ip6ip6(tun, data, peer):
    if len(data) < 40 or data[0] >> 4 != 6:
        return bad("ip6ip6", "inner packet is not IPv6")
    deliver(tun, "ip6ip6", peer[0], "local", data, "no")


def main():
    name, gue_port = sys.argv[1], int(sys.argv[2])
    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))

    def stop(signum, frame):
        print("counts " + " ".join("%s=%d" % kv for kv in counts.items()), flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    s_ipip = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
    s_gre = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    # GUE arrives on a raw UDP socket, outer headers and all (so the UDP checksum can be seen and checked);
    # the bound UDP socket only keeps the port open (no port unreachable) and is drained
    s_gue = socket.socket(socket.AF_INET, socket.SOCK_RAW, 17)
    s_port = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s_port.bind(("0.0.0.0", gue_port))
    s_6in6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 41)
    for s in (s_ipip, s_gre, s_gue, s_6in6):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    print("ready %s gue-port %d" % (name, gue_port), flush=True)
    while True:
        for s in select.select([s_ipip, s_gre, s_gue, s_6in6, s_port], [], [])[0]:
            data, peer = s.recvfrom(65535)
            try:
                if s is s_ipip:
                    ipip(tun, data)
                elif s is s_gre:
                    gre(tun, data)
                elif s is s_gue:
                    gue(tun, data, gue_port)
                elif s is s_port:
                    pass
                else:
                    ip6ip6(tun, data, peer)
            except OSError as e:
                bad("write", str(e))


if __name__ == "__main__":
    main()
