/**
 * The capture component: the capture worker with its source open. It starts first, because
 * opening live capture handles needs the privileges the daemon started with; once open they
 * keep working after the drop. Failures are decided by the error's code, never its words.
 */
import { ADDON_BUILD_HINT, tryLoadPcapAddon } from "../capture/live/pcap-addon.js";
import type { NetnetConfig } from "../config/config.js";
import { engineConfigFrom } from "../engine/packet-engine.js";
import { messageOf } from "../util/errors.js";
import type { Logger } from "../util/log.js";
import { AffinityError, placeCaptureWorker } from "../worker/affinity.js";
import type { CaptureService } from "../worker/capture-service.js";
import type { CaptureWorkerConfig } from "../worker/protocol.js";
import type { Component } from "./components.js";
import { DaemonError } from "./daemon-error.js";

/** The capture worker's config from the daemon's. */
export function workerConfig(
  config: NetnetConfig,
  defaultInterface: () => string | null,
): CaptureWorkerConfig {
  const { flows, stats } = engineConfigFrom(config);
  const common = { flows, stats, tickMs: config.stats.tick_ms, autoStart: false };
  if (config.offline.file !== "") {
    return {
      source: {
        kind: "file",
        path: config.offline.file,
        speed: config.offline.speed,
        loop: config.offline.loop,
        filter: config.interface.bpf_filter,
      },
      ...common,
    };
  }
  const named = config.interface.name;
  const list = (Array.isArray(named) ? named : [named])
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (list.length === 0) {
    const d = defaultInterface();
    if (d === null) {
      throw new DaemonError(
        "ERR_DAEMON_NO_INTERFACE",
        "interface.name is empty and no interface carries the default route: name one (netnet interfaces lists them) or set offline.file",
      );
    }
    list.push(d);
  }
  return {
    source: {
      kind: "live",
      interfaces: list,
      snaplen: config.interface.snaplen,
      promiscuous: config.interface.promiscuous,
      timeoutMs: Math.min(config.interface.timeout_ms, 1000) || 100,
      filter: config.interface.bpf_filter,
    },
    ...common,
  };
}

/** What to tell the operator when the capture does not start: the fix, where there is one. */
export function captureFailure(err: unknown): DaemonError {
  const code = err instanceof Error && "code" in err ? err.code : undefined;
  const message =
    code === "ERR_PCAP_PERMISSION"
      ? `${messageOf(err)}\nTo capture live, run as root (sudo npm start) or give node CAP_NET_RAW; to see the dashboard without privileges, run npm run demo.`
      : messageOf(err);
  return new DaemonError("ERR_DAEMON_CAPTURE_FAILED", message, { cause: err });
}

export function captureComponent(
  capture: CaptureService,
  config: Pick<NetnetConfig, "performance">,
  log: Logger,
): Component {
  return {
    name: "capture",
    async start() {
      await capture.start();
      try {
        const started = await capture.startCapture().catch((err: unknown) => {
          throw captureFailure(err);
        });
        log.info({ interfaces: started.interfaces }, "capture started");
        placeWorker(capture, config.performance.capture_cpu, log);
      } catch (err: unknown) {
        // A component whose start fails leaves nothing running.
        await capture.stop();
        throw err;
      }
    },
    async stop() {
      await capture.stop();
    },
  };
}

/**
 * The capture worker on a CPU of its own, if asked (the file reader's pool threads exist by
 * now, so they go with the other threads).
 */
function placeWorker(
  capture: CaptureService,
  want: NetnetConfig["performance"]["capture_cpu"],
  log: Logger,
): void {
  if (want === "none") return;
  try {
    const addon = tryLoadPcapAddon();
    if (addon === null) {
      throw new AffinityError(
        "ERR_AFFINITY_NO_ADDON",
        `performance.capture_cpu needs the capture addon: ${ADDON_BUILD_HINT}`,
      );
    }
    const tid = capture.workerThreadId();
    const plan = placeCaptureWorker(addon, tid, want);
    log.info(
      { worker_tid: tid, worker_cpus: plan?.worker, other_cpus: plan?.others },
      plan === null ? "capture worker not placed: a single CPU" : "capture worker placed",
    );
  } catch (err: unknown) {
    throw new DaemonError("ERR_DAEMON_BAD_AFFINITY", messageOf(err), { cause: err });
  }
}
