/**
 * The dashboard's entry: login or the app shell (header, stream state, dashboard and host
 * pages with hash routing: `#/` and `#/host/<address>`), and the live stream feeding every
 * panel.
 */
import "./style.css";
import type { TickMessage } from "../../src/contract/types.js";
import { endSession, logout, onSessionEnd, type Session, session, touched } from "./api.js";
import { BandwidthPanel } from "./bandwidth.js";
import { ConnectionsTable } from "./connections.js";
import { h, setText } from "./dom.js";
import { time } from "./format.js";
import { HostView } from "./host.js";
import { loginView } from "./login.js";
import {
  AlertsPanel,
  HealthPanel,
  PacketSizePanel,
  PortsPanel,
  ProtocolPanel,
  SummaryPanel,
  TalkersPanel,
} from "./panels.js";
import { LiveStream, type StreamState } from "./stream.js";
import { choice, initTheme, nextChoice, setChoice } from "./theme.js";

initTheme();
const root = document.getElementById("app") as HTMLElement;

class Dashboard {
  readonly el: HTMLElement;
  private readonly bandwidth = new BandwidthPanel();
  private readonly connections = new ConnectionsTable("connections", "Active connections");
  private readonly panels: { tick(m: TickMessage): void }[];

  constructor() {
    const summary = new SummaryPanel();
    const protocols = new ProtocolPanel();
    const sizes = new PacketSizePanel();
    const sources = new TalkersPanel(
      "top-sources",
      "Top sources",
      (m) => m.top_talkers.top_sources,
    );
    const destinations = new TalkersPanel(
      "top-destinations",
      "Top destinations",
      (m) => m.top_talkers.top_destinations,
    );
    const ports = new PortsPanel();
    const health = new HealthPanel();
    const alerts = new AlertsPanel();
    this.panels = [
      this.bandwidth,
      summary,
      protocols,
      sizes,
      sources,
      destinations,
      ports,
      health,
      alerts,
    ];
    this.el = h(
      "div",
      { class: "view dashboard", "data-testid": "dashboard" },
      h(
        "div",
        { class: "grid-panels" },
        this.bandwidth.el,
        summary.el,
        protocols.el,
        sizes.el,
        health.el,
        sources.el,
        destinations.el,
        ports.el,
        alerts.el,
        this.connections.el,
      ),
    );
  }

  tick(msg: TickMessage): void {
    for (const p of this.panels) p.tick(msg);
    if (!this.el.hidden) this.connections.tick();
  }
}

const STATE_TEXT: Record<StreamState["kind"], string> = {
  connecting: "Connecting…",
  live: "Live",
  stale: "Stale",
  reconnecting: "Reconnecting",
  stopped: "Stopped",
};

class App {
  private readonly dashboard = new Dashboard();
  private host: HostView | null = null;
  private readonly stream: LiveStream;
  private readonly badge: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly bannerText: HTMLElement;
  private readonly main: HTMLElement;
  private readonly clock: number;
  private lastTickTime = 0;
  private readonly onHash = () => this.route();

  constructor(s: Session) {
    this.badge = h(
      "span",
      { class: "badge", role: "status", "data-testid": "stream-state" },
      "Connecting…",
    );
    const themeButton = h("button", { type: "button", class: "ghost", "data-testid": "theme" });
    const themeLabel = () => {
      const c = choice();
      themeButton.textContent = `Theme: ${c}`;
      themeButton.setAttribute("aria-label", `Theme: ${c} (change)`);
    };
    themeLabel();
    themeButton.addEventListener("click", () => {
      setChoice(nextChoice());
      themeLabel();
    });
    const logoutButton = h("button", { type: "button", "data-testid": "logout" }, "Sign out");
    logoutButton.addEventListener("click", () => void logout());
    const retry = h("button", { type: "button" }, "Retry now");
    retry.addEventListener("click", () => this.stream.retryNow());
    this.bannerText = h("span");
    this.banner = h(
      "div",
      { class: "banner", role: "alert", hidden: true, "data-testid": "stream-banner" },
      this.bannerText,
      retry,
    );
    this.main = h("main", { id: "main" }, this.dashboard.el);
    root.replaceChildren(
      h("a", { class: "skip", href: "#main" }, "Skip to content"),
      h(
        "header",
        { class: "top" },
        h("a", { class: "brand", href: "#/" }, "net-net"),
        this.badge,
        h("span", { class: "spacer" }),
        themeButton,
        h("span", { class: "user", "data-testid": "user" }, s.username),
        logoutButton,
      ),
      this.banner,
      this.main,
    );
    this.stream = new LiveStream({
      token: () => session()?.token ?? null,
      onTick: (m) => this.tick(m),
      onState: () => this.showState(),
      onUnauthorized: () => endSession("expired"),
      onConnected: () => touched(),
    });
    this.stream.start();
    this.clock = window.setInterval(() => this.showState(), 1000);
    window.addEventListener("hashchange", this.onHash);
    this.route();
  }

  private tick(m: TickMessage): void {
    this.lastTickTime = m.time_ms;
    this.dashboard.tick(m);
    this.host?.tickTable();
  }

  private showState(): void {
    const st = this.stream.current;
    const now = Date.now();
    let text = STATE_TEXT[st.kind];
    let banner = "";
    const since =
      this.lastTickTime > 0 ? ` Showing data from ${time(this.lastTickTime / 1000)}.` : "";
    if (st.kind === "reconnecting") {
      const wait = Math.max(0, Math.ceil((st.retryAt - now) / 1000));
      text = wait > 0 ? `Reconnecting in ${wait} s` : "Reconnecting…";
      banner = `Live data interrupted (${st.reason}).${since} Attempt ${st.attempt}${wait > 0 ? `, next in ${wait} s` : ""}.`;
    } else if (st.kind === "stale") {
      const age = Math.round((now - st.sinceMs) / 1000);
      text = `Stale ${age} s`;
      banner = `No live data for ${age} s.${since}`;
    }
    setText(this.badge, text);
    this.badge.dataset.state = st.kind;
    document.body.dataset.stream = st.kind;
    if (banner === "") this.banner.hidden = true;
    else {
      setText(this.bannerText, banner);
      this.banner.hidden = false;
    }
  }

  private route(): void {
    const m = /^#\/host\/(.+)$/.exec(location.hash);
    this.host?.destroy();
    this.host = null;
    if (m?.[1] !== undefined) {
      const ip = decodeURIComponent(m[1]);
      this.host = new HostView(ip);
      this.dashboard.el.hidden = true;
      this.main.appendChild(this.host.el);
      document.title = `${ip} · net-net`;
      window.scrollTo(0, 0);
    } else {
      this.dashboard.el.hidden = false;
      document.title = "net-net";
    }
  }

  destroy(): void {
    this.stream.stop();
    window.clearInterval(this.clock);
    window.removeEventListener("hashchange", this.onHash);
    this.host?.destroy();
  }
}

let app: App | null = null;

function showLogin(notice: string): void {
  document.title = "Sign in · net-net";
  root.replaceChildren(loginView(notice, (s) => start(s)));
}

function start(s: Session): void {
  app = new App(s);
}

onSessionEnd((reason) => {
  app?.destroy();
  app = null;
  showLogin(
    reason === "expired" ? "Your session has ended. Sign in again." : "You are signed out.",
  );
});

const existing = session();
if (existing !== null) {
  start(existing);
  touched();
} else showLogin("");
