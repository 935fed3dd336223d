/**
 * Compile-time proof that the server sends what the dashboard reads (src/contract/types.ts): each
 * view function's return type must be assignable to the interface web/ uses. Nothing here
 * runs; a mismatch is a type error in `npm run build`. Where the server's shape is exactly
 * the wire shape (a flow, an alert, a history page, a host, its peers, ports and history
 * points), the server
 * module uses the contract's type itself, and there is nothing to prove.
 */
import type { AlertPage } from "../alerts/types.js";
import type {
  AlertsBody,
  Flow,
  MetricsBody,
  PacketSizesBody,
  PortStatsBody,
  SystemHealthBody,
  TickMessage,
  TopTalkersBody,
} from "../contract/types.js";
import type {
  contractFlow,
  metricsView,
  packetSizesView,
  portStatsView,
  streamView,
  systemHealthView,
  topTalkersView,
} from "./views.js";

/** `true` when A can be used where B is expected, else `never` (and the assignment fails). */
type Assignable<A, B> = [A] extends [B] ? true : never;

export const viewsMatchDashboardTypes: readonly true[] = [
  true satisfies Assignable<ReturnType<typeof contractFlow>, Flow>,
  true satisfies Assignable<ReturnType<typeof metricsView>, MetricsBody>,
  true satisfies Assignable<ReturnType<typeof topTalkersView>, TopTalkersBody>,
  true satisfies Assignable<ReturnType<typeof portStatsView>, PortStatsBody>,
  true satisfies Assignable<ReturnType<typeof packetSizesView>, PacketSizesBody>,
  true satisfies Assignable<ReturnType<typeof systemHealthView>, SystemHealthBody>,
  true satisfies Assignable<ReturnType<typeof streamView>, TickMessage>,
  true satisfies Assignable<AlertPage, AlertsBody>,
];
