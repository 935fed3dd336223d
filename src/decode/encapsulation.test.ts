/**
 * What real networks wrap packets in: SCTP's ports, segmentation-offloaded lengths, MPLS,
 * PPPoE and PPP, 802.1ah, FabricPath, VN-Tag, 802.11 with radiotap, and tunnels (GRE with its
 * options and ERSPAN, IP in IP, VXLAN, Geneve, GTP-U, Teredo, AYIYA), nested and cut short.
 * Each case is built byte by byte with the frame builders and decoded by a fresh decoder.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addrs,
  decodeFrame,
  expected,
  record,
  tunnelRecord,
  v4,
} from "../../test/support/decoded.js";
import * as F from "../../test/support/frames.js";
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_RADIOTAP,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_PPP,
  LINKTYPE_PPP_ETHER,
  LINKTYPE_PPP_HDLC,
} from "../packet/link-types.js";
import { parseAddress } from "./address.js";
import {
  BAD_RADIOTAP,
  DECODE_OK,
  ENCAPSULATION_TOO_DEEP,
  IPV4_TOTAL_LENGTH_ZERO,
  TRUNCATED_80211,
  TRUNCATED_GRE,
  TRUNCATED_IPV4,
  TRUNCATED_MPLS,
  TRUNCATED_PPPOE,
  TRUNCATED_RADIOTAP,
  TRUNCATED_SCTP,
  TRUNCATED_TUNNEL,
} from "./decode-status.js";
import {
  type Decoder,
  L3_IPV4,
  L3_IPV6,
  L3_OTHER,
  MAX_ENCAP_DEPTH,
  TUNNEL_AYIYA,
  TUNNEL_GENEVE,
  TUNNEL_GRE,
  TUNNEL_GTPV1,
  TUNNEL_IP,
  TUNNEL_TEREDO,
  TUNNEL_VXLAN,
} from "./decoder.js";
import {
  ETHERTYPE_ERSPAN_II,
  ETHERTYPE_ERSPAN_III,
  ETHERTYPE_FABRICPATH,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_MPLS_UNICAST,
  ETHERTYPE_PBB,
  ETHERTYPE_PPP,
  ETHERTYPE_PPPOE_DISCOVERY,
  ETHERTYPE_PPPOE_SESSION,
  ETHERTYPE_QINQ,
  ETHERTYPE_TEB,
  ETHERTYPE_VNTAG,
  IPPROTO_GRE,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  PPP_IPV4,
  PPP_IPV6,
  TCP_SYN,
} from "./protocols.js";

const MAC1 = "02:00:00:00:00:01";
const MAC2 = "02:00:00:00:00:02";

/** The packet every tunnel below carries: a TCP SYN from 10.9.0.1:40000 to 10.9.0.2:443. */
const INNER4 = F.ipv4(
  { src: "10.9.0.1", dst: "10.9.0.2", proto: IPPROTO_TCP, id: 7 },
  F.tcp({ sport: 40000, dport: 443, flags: "S" }),
);
const INNER6 = F.ipv6(
  { src: "2001:db8:9::1", dst: "2001:db8:9::2", nextHeader: IPPROTO_TCP },
  F.tcp({ sport: 40000, dport: 443, flags: "S" }),
);
const INNER_ETH = F.ethernet(MAC2, MAC1, ETHERTYPE_IPV4, INNER4);

/** The inner packet's record fields as a tunnel leaves them (offsets aside). */
function innerTcp4(d: Decoder) {
  assert.equal(d.l3, L3_IPV4);
  assert.deepEqual(
    [d.src3, d.dst3, d.proto, d.hasPorts, d.sport, d.dport, d.tcpFlags, d.l4PayloadLen],
    [v4("10.9.0.1"), v4("10.9.0.2"), IPPROTO_TCP, 1, 40000, 443, TCP_SYN, 0],
  );
}

function innerTcp6(d: Decoder) {
  assert.equal(d.l3, L3_IPV6);
  const a = parseAddress("2001:db8:9::1")?.words ?? [];
  assert.deepEqual([d.src0, d.src1, d.src2, d.src3], [...a]);
  assert.deepEqual([d.proto, d.sport, d.dport, d.tcpFlags], [IPPROTO_TCP, 40000, 443, TCP_SYN]);
}

/** The outer IPv4 tunnel fields: endpoints 192.0.2.1 -> 192.0.2.2. */
function outer4(d: Decoder, type: number, proto: number, sport = 0, dport = 0, depth = 1) {
  assert.deepEqual([d.tunnelDepth, d.tunnelType], [depth, type]);
  const t = tunnelRecord(d);
  assert.deepEqual(
    [t.tunnelFamily, t.tunnelSrc3, t.tunnelDst3, t.tunnelProto, t.tunnelSport, t.tunnelDport],
    [4, v4("192.0.2.1"), v4("192.0.2.2"), proto, sport, dport],
  );
}

function ipOver(proto: number, payload: Uint8Array): Uint8Array {
  return F.ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto, id: 1 }, payload);
}

function udpOver(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return ipOver(IPPROTO_UDP, F.udp({ sport, dport }, payload));
}

describe("SCTP", () => {
  it("reads the ports of the common header, so an association forms a flow", () => {
    const init = F.sctp(3868, 3868, F.sctpChunk(1, new Uint8Array(16)));
    const d = decodeFrame(
      F.ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_SCTP, id: 3 }, init),
      LINKTYPE_IPV4,
    );
    assert.deepEqual(
      record(d),
      expected({
        l3: L3_IPV4,
        ...addrs("10.0.0.1", "10.0.0.2"),
        proto: IPPROTO_SCTP,
        ttl: 64,
        ipId: 3,
        ipPayloadLen: init.length,
        l3Offset: 0,
        l4Offset: 20,
        hasPorts: 1,
        sport: 3868,
        dport: 3868,
        l4PayloadLen: init.length - 12,
      }),
    );
  });

  it("a common header cut short is truncated_sctp, with no ports", () => {
    const ip = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_SCTP },
      F.hex("0d4c0d4c 0000"),
    );
    const d = decodeFrame(ip, LINKTYPE_IPV4);
    assert.deepEqual([d.status, d.hasPorts], [TRUNCATED_SCTP, 0]);
  });
});

describe("IPv4 total length 0 (segmentation offload)", () => {
  it("takes the captured length, keeps the ports, and counts the case under its own name", () => {
    const segment = F.tcp({ sport: 5000, dport: 80, flags: "PA" }, new Uint8Array(3000));
    const ip = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_TCP, totalLength: 0 },
      segment,
    );
    const d = decodeFrame(F.ethernet(MAC2, MAC1, ETHERTYPE_IPV4, ip));
    assert.equal(d.status, IPV4_TOTAL_LENGTH_ZERO);
    assert.deepEqual(
      [d.l3, d.hasPorts, d.sport, d.dport, d.ipPayloadLen, d.l4PayloadLen],
      [L3_IPV4, 1, 5000, 80, segment.length, 3000],
    );
  });

  it("a length-0 header whose options are cut is still truncated_ipv4", () => {
    const ip = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, totalLength: 0, options: new Uint8Array(8) },
      new Uint8Array(0),
    );
    const d = decodeFrame(ip.subarray(0, 24), LINKTYPE_IPV4);
    assert.equal(d.status, TRUNCATED_IPV4);
  });
});

describe("link-layer encapsulations", () => {
  it("MPLS: one or several labels, then IPv4 or IPv6 by the first nibble", () => {
    for (const labels of [[16], [16, 17, 18]]) {
      const d = decodeFrame(F.ethernet(MAC2, MAC1, ETHERTYPE_MPLS_UNICAST, F.mpls(labels, INNER4)));
      assert.equal(d.status, DECODE_OK);
      innerTcp4(d);
    }
    const d6 = decodeFrame(F.ethernet(MAC2, MAC1, ETHERTYPE_MPLS_UNICAST, F.mpls([20], INNER6)));
    innerTcp6(d6);
  });

  it("MPLS over VLANs; a payload that is not IP is OTHER; a cut stack is truncated_mpls", () => {
    const tagged = F.ethernetTagged(
      MAC2,
      MAC1,
      [{ id: 100 }],
      ETHERTYPE_MPLS_UNICAST,
      F.mpls([16], INNER4),
    );
    const d = decodeFrame(tagged);
    innerTcp4(d);
    assert.equal(d.vlan, 100);
    const pw = decodeFrame(
      F.ethernet(
        MAC2,
        MAC1,
        ETHERTYPE_MPLS_UNICAST,
        F.mpls([16], F.concat(F.hex("00000000"), INNER_ETH)),
      ),
    );
    assert.deepEqual([pw.status, pw.l3], [DECODE_OK, L3_OTHER]);
    const cut = decodeFrame(
      F.ethernet(MAC2, MAC1, ETHERTYPE_MPLS_UNICAST, F.hex("00010040 00020040")),
    );
    assert.equal(cut.status, TRUNCATED_MPLS);
  });

  it("PPPoE sessions, also inside QinQ; discovery packets are OTHER", () => {
    const session = F.pppoe(0x1234, PPP_IPV4, INNER4);
    innerTcp4(decodeFrame(F.ethernet(MAC2, MAC1, ETHERTYPE_PPPOE_SESSION, session)));
    const qinq = decodeFrame(
      F.ethernetTagged(
        MAC2,
        MAC1,
        [{ id: 10, tpid: ETHERTYPE_QINQ }, { id: 20 }],
        ETHERTYPE_PPPOE_SESSION,
        F.pppoe(1, PPP_IPV6, INNER6),
      ),
    );
    innerTcp6(qinq);
    assert.deepEqual([qinq.vlan, qinq.innerVlan], [10, 20]);
    const disc = decodeFrame(
      F.ethernet(MAC2, MAC1, ETHERTYPE_PPPOE_DISCOVERY, F.hex("1109 0000 0004 01010000")),
    );
    assert.equal(disc.l3, L3_OTHER);
    const cut = decodeFrame(F.ethernet(MAC2, MAC1, ETHERTYPE_PPPOE_SESSION, F.hex("1100 0001")));
    assert.equal(cut.status, TRUNCATED_PPPOE);
  });

  it("the PPP link types: with and without HDLC framing, and a compressed protocol", () => {
    innerTcp4(decodeFrame(F.ppp(PPP_IPV4, INNER4), LINKTYPE_PPP));
    innerTcp4(decodeFrame(F.ppp(PPP_IPV4, INNER4, false), LINKTYPE_PPP));
    innerTcp6(decodeFrame(F.ppp(PPP_IPV6, INNER6), LINKTYPE_PPP_HDLC));
    innerTcp4(decodeFrame(F.concat(F.hex("ff03 21"), INNER4), LINKTYPE_PPP));
    innerTcp4(decodeFrame(F.pppoe(9, PPP_IPV4, INNER4), LINKTYPE_PPP_ETHER));
  });

  it("802.1ah, FabricPath and VN-Tag lead to the customer's frame", () => {
    for (const [type, payload] of [
      [ETHERTYPE_PBB, F.pbb(0x10203, MAC2, MAC1, ETHERTYPE_IPV4, INNER4)],
      [ETHERTYPE_FABRICPATH, F.fabricPath(MAC2, MAC1, ETHERTYPE_IPV4, INNER4)],
      [ETHERTYPE_VNTAG, F.vnTag(ETHERTYPE_IPV4, INNER4)],
    ] as const) {
      const d = decodeFrame(F.ethernet(MAC2, MAC1, type, payload));
      assert.equal(d.status, DECODE_OK, `type ${type}`);
      innerTcp4(d);
      assert.equal(d.encapDepth, 1);
    }
  });

  it("shims nested beyond MAX_ENCAP_DEPTH stop with encapsulation_too_deep", () => {
    let payload = INNER4;
    let type = ETHERTYPE_IPV4;
    for (let i = 0; i <= MAX_ENCAP_DEPTH; i++) {
      payload = F.vnTag(type, payload);
      type = ETHERTYPE_VNTAG;
    }
    const d = decodeFrame(F.ethernet(MAC2, MAC1, type, payload));
    assert.equal(d.status, ENCAPSULATION_TOO_DEEP);
  });
});

describe("802.11", () => {
  it("a data frame (plain, QoS, four addresses) with radiotap or without leads to IP", () => {
    for (const o of [{}, { qos: true }, { toDs: true, fromDs: true, qos: true }]) {
      const frame = F.ieee80211Data(ETHERTYPE_IPV4, INNER4, o);
      innerTcp4(decodeFrame(frame, LINKTYPE_IEEE802_11));
      innerTcp4(decodeFrame(F.radiotap(frame), LINKTYPE_IEEE802_11_RADIOTAP));
    }
  });

  it("encrypted data, management frames and a bad or cut radiotap header lead nowhere", () => {
    const prot = decodeFrame(
      F.ieee80211Data(ETHERTYPE_IPV4, INNER4, { protected: true }),
      LINKTYPE_IEEE802_11,
    );
    assert.deepEqual([prot.status, prot.l3], [DECODE_OK, L3_OTHER]);
    const beacon = F.concat(F.hex("8000 0000"), new Uint8Array(40));
    assert.equal(decodeFrame(beacon, LINKTYPE_IEEE802_11).l3, L3_OTHER);
    assert.equal(decodeFrame(F.hex("0800 0000"), LINKTYPE_IEEE802_11).status, TRUNCATED_80211);
    assert.equal(
      decodeFrame(F.hex("0100 0800 00000000"), LINKTYPE_IEEE802_11_RADIOTAP).status,
      BAD_RADIOTAP,
    );
    assert.equal(
      decodeFrame(F.hex("0000 4000 00000000"), LINKTYPE_IEEE802_11_RADIOTAP).status,
      TRUNCATED_RADIOTAP,
    );
  });
});

describe("tunnels", () => {
  it("GRE with checksum, key and sequence number carries IPv4; the GRE packet is the tunnel", () => {
    for (const gre of [
      F.greHeader({ type: ETHERTYPE_IPV4 }),
      F.greHeader({ type: ETHERTYPE_IPV4, checksum: true, key: 42, seq: 7 }),
    ]) {
      const d = decodeFrame(
        F.ethernet(MAC2, MAC1, ETHERTYPE_IPV4, ipOver(IPPROTO_GRE, F.concat(gre, INNER4))),
      );
      assert.equal(d.status, DECODE_OK);
      innerTcp4(d);
      outer4(d, TUNNEL_GRE, IPPROTO_GRE);
    }
  });

  it("GRE carries IPv6, Ethernet, MPLS, ERSPAN I, II and III, and PPTP's PPP", () => {
    const cases: [string, Uint8Array, (d: Decoder) => void][] = [
      ["ipv6", F.concat(F.greHeader({ type: ETHERTYPE_IPV6 }), INNER6), innerTcp6],
      ["teb", F.concat(F.greHeader({ type: ETHERTYPE_TEB }), INNER_ETH), innerTcp4],
      [
        "mpls",
        F.concat(F.greHeader({ type: ETHERTYPE_MPLS_UNICAST }), F.mpls([30], INNER4)),
        innerTcp4,
      ],
      ["erspan I", F.concat(F.greHeader({ type: ETHERTYPE_ERSPAN_II }), INNER_ETH), innerTcp4],
      [
        "erspan II",
        F.concat(F.greHeader({ type: ETHERTYPE_ERSPAN_II, seq: 1 }), F.erspan2(5), INNER_ETH),
        innerTcp4,
      ],
      [
        "erspan III",
        F.concat(F.greHeader({ type: ETHERTYPE_ERSPAN_III, seq: 1 }), F.erspan3(5), INNER_ETH),
        innerTcp4,
      ],
      [
        "erspan III with platform sub-header",
        F.concat(
          F.greHeader({ type: ETHERTYPE_ERSPAN_III, seq: 1 }),
          F.erspan3(5, true),
          INNER_ETH,
        ),
        innerTcp4,
      ],
      [
        "pptp",
        F.concat(
          F.greHeader({ type: ETHERTYPE_PPP, version: 1, key: 0x00280001, seq: 3, ack: 2 }),
          F.ppp(PPP_IPV4, INNER4),
        ),
        innerTcp4,
      ],
    ];
    for (const [name, gre, check] of cases) {
      const d = decodeFrame(ipOver(IPPROTO_GRE, gre), LINKTYPE_IPV4);
      assert.equal(d.status, DECODE_OK, name);
      check(d);
      outer4(d, TUNNEL_GRE, IPPROTO_GRE);
    }
  });

  it("GRE with routing, an unknown protocol or version stays a GRE packet; a cut header is truncated_gre", () => {
    for (const gre of [
      F.hex("4000 0800 00000000"),
      F.concat(F.greHeader({ type: 0x1234 }), INNER4),
      F.concat(F.hex("0002 0800"), INNER4),
    ]) {
      const d = decodeFrame(ipOver(IPPROTO_GRE, gre), LINKTYPE_IPV4);
      assert.deepEqual(
        [d.status, d.proto, d.tunnelDepth, d.src3],
        [DECODE_OK, IPPROTO_GRE, 0, v4("192.0.2.1")],
      );
    }
    const cut = decodeFrame(ipOver(IPPROTO_GRE, F.hex("b000 0800 0000")), LINKTYPE_IPV4);
    assert.deepEqual([cut.status, cut.proto], [TRUNCATED_GRE, IPPROTO_GRE]);
  });

  it("IP in IP: 4in4, 6in4, 4in6 and 6in6", () => {
    const d44 = decodeFrame(ipOver(IPPROTO_IPIP, INNER4), LINKTYPE_IPV4);
    innerTcp4(d44);
    outer4(d44, TUNNEL_IP, IPPROTO_IPIP);
    const d64 = decodeFrame(ipOver(IPPROTO_IPV6, INNER6), LINKTYPE_IPV4);
    innerTcp6(d64);
    outer4(d64, TUNNEL_IP, IPPROTO_IPV6);
    const over6 = (proto: number, inner: Uint8Array) =>
      F.ipv6({ src: "2001:db8::a", dst: "2001:db8::b", nextHeader: proto }, inner);
    const d46 = decodeFrame(over6(IPPROTO_IPIP, INNER4), LINKTYPE_IPV6);
    innerTcp4(d46);
    assert.deepEqual([d46.tunnelFamily, d46.tunnelProto], [6, IPPROTO_IPIP]);
    const d66 = decodeFrame(over6(IPPROTO_IPV6, INNER6), LINKTYPE_IPV6);
    innerTcp6(d66);
    assert.deepEqual([d66.tunnelType, d66.tunnelDepth], [TUNNEL_IP, 1]);
  });

  it("VXLAN, Geneve (with options), GTP-U (optional fields, an extension header), Teredo, AYIYA", () => {
    const cases: [number, number, Uint8Array, (d: Decoder) => void][] = [
      [TUNNEL_VXLAN, 4789, F.vxlan(100, INNER_ETH), innerTcp4],
      [TUNNEL_GENEVE, 6081, F.geneve(ETHERTYPE_TEB, 7, INNER_ETH, new Uint8Array(8)), innerTcp4],
      [TUNNEL_GENEVE, 6081, F.geneve(ETHERTYPE_IPV6, 7, INNER6), innerTcp6],
      [TUNNEL_GTPV1, 2152, F.gtpu(0x11223344, INNER4), innerTcp4],
      [TUNNEL_GTPV1, 2152, F.gtpu(1, INNER6, { seq: 9, ext: 0x85 }), innerTcp6],
      [TUNNEL_TEREDO, 3544, F.teredo(INNER6), innerTcp6],
      [TUNNEL_TEREDO, 3544, F.teredo(INNER6, true), innerTcp6],
      [TUNNEL_AYIYA, 5072, F.ayiya(IPPROTO_IPV6, INNER6), innerTcp6],
      [TUNNEL_AYIYA, 5072, F.ayiya(IPPROTO_IPIP, INNER4, 2), innerTcp4],
    ];
    for (const [type, port, payload, check] of cases) {
      const d = decodeFrame(udpOver(50000, port, payload), LINKTYPE_IPV4);
      assert.equal(d.status, DECODE_OK, `tunnel ${type}`);
      check(d);
      outer4(d, type, IPPROTO_UDP, 50000, port);
      assert.equal(d.tunnelPayloadLen, payload.length);
    }
  });

  it("a tunnel port with a header that is not the tunnel's stays a UDP datagram", () => {
    for (const [port, payload] of [
      [4789, F.vxlan(1, INNER_ETH, 0x00)], // no I flag
      [3544, F.concat(INNER6, F.hex("00"))], // a byte after the IPv6 packet
      [3544, F.hex("0102030405")],
      [2152, F.hex("3201 0004 00000001")], // an echo request, not a G-PDU
      [6081, F.concat(F.hex("4000 6558 00000100"), INNER_ETH)], // version 1
      [5072, F.hex("41000229 00000000 0000000000000000")], // not forward
    ] as const) {
      const d = decodeFrame(udpOver(50000, port, payload), LINKTYPE_IPV4);
      assert.deepEqual(
        [d.status, d.proto, d.tunnelDepth, d.dport, d.src3],
        [DECODE_OK, IPPROTO_UDP, 0, port, v4("192.0.2.1")],
        `port ${port}`,
      );
    }
  });

  it("a tunnel header cut short is truncated_tunnel and the packet is the outer datagram", () => {
    for (const [port, payload] of [
      [4789, F.hex("0800 0000")],
      [6081, F.hex("0200 6558 00000100 0000")],
      [2152, F.hex("34ff 0004")],
    ] as const) {
      const d = decodeFrame(udpOver(50000, port, payload), LINKTYPE_IPV4);
      assert.deepEqual(
        [d.status, d.proto, d.tunnelDepth, d.dport],
        [TRUNCATED_TUNNEL, IPPROTO_UDP, 0, port],
      );
    }
  });

  it("a tunnel whose payload decodes to nothing leaves the packet the outer one alone", () => {
    const d = decodeFrame(udpOver(50000, 4789, F.vxlan(1, F.hex("0011223344"))), LINKTYPE_IPV4);
    assert.deepEqual(
      [d.l3, d.proto, d.hasPorts, d.sport, d.dport, d.src3, d.tunnelDepth],
      [L3_IPV4, IPPROTO_UDP, 1, 50000, 4789, v4("192.0.2.1"), 0],
    );
    const ipip = decodeFrame(ipOver(IPPROTO_IPIP, F.hex("60000000")), LINKTYPE_IPV4);
    assert.deepEqual([ipip.l3, ipip.proto, ipip.tunnelDepth], [L3_IPV4, IPPROTO_IPIP, 0]);
  });

  it("nested tunnels keep the outermost as the tunnel and count the depth", () => {
    const gre = ipOver(IPPROTO_GRE, F.concat(F.greHeader({ type: ETHERTYPE_IPV4 }), INNER4));
    const vxlanInner = F.ethernet(MAC2, MAC1, ETHERTYPE_IPV4, gre);
    const d = decodeFrame(udpOver(50000, 4789, F.vxlan(5, vxlanInner)), LINKTYPE_IPV4);
    assert.equal(d.status, DECODE_OK);
    innerTcp4(d);
    outer4(d, TUNNEL_VXLAN, IPPROTO_UDP, 50000, 4789, 2);
  });

  it("tunnels nested beyond MAX_ENCAP_DEPTH stop there: encapsulation_too_deep", () => {
    let packet = INNER4;
    for (let i = 0; i <= MAX_ENCAP_DEPTH; i++) packet = ipOver(IPPROTO_IPIP, packet);
    const d = decodeFrame(packet, LINKTYPE_IPV4);
    assert.equal(d.status, ENCAPSULATION_TOO_DEEP);
    // The deepest level reached is the packet: an IP-in-IP packet between the same endpoints.
    assert.deepEqual([d.proto, d.tunnelDepth], [IPPROTO_IPIP, MAX_ENCAP_DEPTH]);
  });

  it("a fragment of the outer packet is not decapsulated", () => {
    const whole = F.udp({ sport: 50000, dport: 4789 }, F.vxlan(1, INNER_ETH));
    const first = F.ipv4(
      { src: "192.0.2.1", dst: "192.0.2.2", proto: IPPROTO_UDP, mf: true, l4Checksum: false },
      whole.subarray(0, 48),
    );
    const d = decodeFrame(first, LINKTYPE_IPV4);
    assert.deepEqual(
      [d.status, d.proto, d.dport, d.tunnelDepth],
      [DECODE_OK, IPPROTO_UDP, 4789, 0],
    );
  });

  it("VLAN ids are the outermost frame's, not those inside a tunnel", () => {
    const tenant = F.ethernetTagged(MAC2, MAC1, [{ id: 300 }], ETHERTYPE_IPV4, INNER4);
    const outer = F.ethernetTagged(
      MAC2,
      MAC1,
      [{ id: 7 }],
      ETHERTYPE_IPV4,
      udpOver(50000, 4789, F.vxlan(1, tenant)),
    );
    const d = decodeFrame(outer, LINKTYPE_ETHERNET);
    innerTcp4(d);
    assert.deepEqual([d.vlan, d.innerVlan], [7, 0]);
  });
});
