import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatTcpFlags,
  nextTcpState,
  peerAfter,
  TCP_CLOSED,
  TCP_ESTABLISHED,
  TCP_INACTIVE,
  TCP_PARTIAL,
  TCP_RESET,
  TCP_SYN_ACK_SENT,
  TCP_SYN_SENT,
  tcpConnState,
  udpConnState,
} from "./tcp-state.js";

test("a SYN, a SYN-ACK and the final ACK establish both sides", () => {
  let a = nextTcpState(TCP_INACTIVE, TCP_INACTIVE, 0x02);
  assert.equal(a, TCP_SYN_SENT);
  let b = nextTcpState(TCP_INACTIVE, a, 0x12);
  assert.equal(b, TCP_SYN_ACK_SENT);
  a = nextTcpState(a, b, 0x10);
  b = peerAfter(a, b);
  assert.equal(a, TCP_ESTABLISHED);
  assert.equal(b, TCP_ESTABLISHED);
});

test("a segment without SYN from a silent side marks it partial (midstream)", () => {
  assert.equal(nextTcpState(TCP_INACTIVE, TCP_INACTIVE, 0x18), TCP_PARTIAL);
});

test("RST wins over every other flag; FIN closes unless reset", () => {
  assert.equal(nextTcpState(TCP_ESTABLISHED, TCP_ESTABLISHED, 0x14), TCP_RESET);
  assert.equal(nextTcpState(TCP_ESTABLISHED, TCP_ESTABLISHED, 0x11), TCP_CLOSED);
  assert.equal(nextTcpState(TCP_RESET, TCP_ESTABLISHED, 0x11), TCP_RESET);
});

test("conn_state follows Zeek's table", () => {
  assert.equal(tcpConnState(TCP_SYN_SENT, TCP_INACTIVE, 0x02, true), "S0");
  assert.equal(tcpConnState(TCP_SYN_SENT, TCP_RESET, 0x02, true), "REJ");
  assert.equal(tcpConnState(TCP_CLOSED, TCP_CLOSED, 0x13, false), "SF");
  assert.equal(tcpConnState(TCP_ESTABLISHED, TCP_ESTABLISHED, 0x12, false), "S1");
  assert.equal(tcpConnState(TCP_RESET, TCP_ESTABLISHED, 0x16, false), "RSTO");
  assert.equal(tcpConnState(TCP_ESTABLISHED, TCP_RESET, 0x12, false), "RSTR");
  assert.equal(tcpConnState(TCP_PARTIAL, TCP_RESET, 0x10, false), "RSTRH");
  assert.equal(tcpConnState(TCP_RESET, TCP_INACTIVE, 0x06, true), "RSTOS0");
  assert.equal(tcpConnState(TCP_CLOSED, TCP_INACTIVE, 0x03, true), "SH");
  assert.equal(tcpConnState(TCP_INACTIVE, TCP_CLOSED, 0x00, true), "SHR");
  assert.equal(tcpConnState(TCP_CLOSED, TCP_ESTABLISHED, 0x13, false), "S2");
  assert.equal(tcpConnState(TCP_ESTABLISHED, TCP_CLOSED, 0x12, false), "S3");
  assert.equal(tcpConnState(TCP_PARTIAL, TCP_PARTIAL, 0x10, false), "OTH");
  assert.equal(tcpConnState(TCP_RESET, TCP_RESET, 0x06, true), "REJ");
});

test("UDP conn_state: both sides SF, originator only S0", () => {
  assert.equal(udpConnState(3, 1), "SF");
  assert.equal(udpConnState(3, 0), "S0");
  assert.equal(udpConnState(0, 2), "SHR");
});

test("TCP flags print as CEUAPRSF with dots for unset bits", () => {
  assert.equal(formatTcpFlags(0x00), "........");
  assert.equal(formatTcpFlags(0x1b), "...AP.SF");
  assert.equal(formatTcpFlags(0xff), "CEUAPRSF");
});
