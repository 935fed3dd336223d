/**
 * The libpcap addon for tests. Where it is not built (a machine without libpcap-dev), tests
 * that need it are skipped with the reason; in CI (CI=true, which installs libpcap-dev) a
 * missing addon fails them instead, so the suite cannot pass there without testing it.
 */
import { type PcapAddon, tryLoadPcapAddon } from "../../src/capture/live/pcap-addon.js";

export const pcapAddon: PcapAddon | null = tryLoadPcapAddon();

/** `skip` option for tests that need the addon: false, or why they are skipped. */
export const skipWithoutAddon: string | false =
  pcapAddon === null && process.env.CI !== "true"
    ? "the libpcap addon is not built (apt-get install libpcap-dev && npm run build:native)"
    : false;

/** The addon, or a failure naming the fix (for tests that run only where it should exist). */
export function requireAddon(): PcapAddon {
  if (pcapAddon === null) {
    throw new Error(
      "the libpcap addon is not built: apt-get install libpcap-dev, npm run build:native",
    );
  }
  return pcapAddon;
}
