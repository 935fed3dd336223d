/**
 * Compile-time proof that the server sends what the dashboard reads (src/api/types.ts): each
 * view function's return type must be assignable to the interface web/ uses. Nothing here
 * runs; a mismatch is a type error in `npm run build`.
 */
import type { AlertPage, Alert as ServerAlert } from "../alerts/types.js";
import type { streamView } from "../daemon/daemon.js";
import type { HostCounters, HostPeer, HostPort, HostRecord } from "../stats/host-query.js";
import type { HistoryResult, HostHistoryPoint } from "../store/types.js";
import type {
  Alert,
  AlertsBody,
  Flow,
  HistoryBody,
  HostCounters as HostCountersBody,
  HostHistoryPoint as HostHistoryPointBody,
  HostPeer as HostPeerBody,
  HostPort as HostPortBody,
  HostSummary,
  MetricsBody,
  PacketSizesBody,
  PortStatsBody,
  SystemHealthBody,
  TickMessage,
  TopTalkersBody,
} from "./types.js";
import type {
  ContractFlow,
  metricsView,
  packetSizesView,
  portStatsView,
  systemHealthView,
  topTalkersView,
} from "./views.js";

/** `true` when A can be used where B is expected, else `never` (and the assignment fails). */
type Assignable<A, B> = [A] extends [B] ? true : never;

export const viewsMatchDashboardTypes: readonly true[] = [
  true satisfies Assignable<ContractFlow, Flow>,
  true satisfies Assignable<ReturnType<typeof metricsView>, MetricsBody>,
  true satisfies Assignable<ReturnType<typeof topTalkersView>, TopTalkersBody>,
  true satisfies Assignable<ReturnType<typeof portStatsView>, PortStatsBody>,
  true satisfies Assignable<ReturnType<typeof packetSizesView>, PacketSizesBody>,
  true satisfies Assignable<ReturnType<typeof systemHealthView>, SystemHealthBody>,
  true satisfies Assignable<ReturnType<typeof streamView>, TickMessage>,
  true satisfies Assignable<HistoryResult, HistoryBody>,
  true satisfies Assignable<ServerAlert, Alert>,
  true satisfies Assignable<AlertPage, AlertsBody>,
  true satisfies Assignable<HostRecord, HostSummary>,
  true satisfies Assignable<HostCounters, HostCountersBody>,
  true satisfies Assignable<HostPeer, HostPeerBody>,
  true satisfies Assignable<HostPort, HostPortBody>,
  true satisfies Assignable<HostHistoryPoint, HostHistoryPointBody>,
];
