/**
 * Time-series charts over uPlot: columns of numbers (x in Unix seconds), sized to their
 * container, coloured from the theme, redrawn in place when new points arrive.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { onThemeChange, palette } from "./theme.js";

export interface SeriesSpec {
  label: string;
  /** Index into the theme's series colours. */
  color: number;
  /** Fill under the line. */
  fill?: boolean;
}

export interface TimeChart {
  readonly plot: uPlot;
  setData(x: number[], ys: number[][]): void;
  /** Changes how y values are written (axis and legend), e.g. bits or bytes. */
  setFormat(format: (v: number) => string): void;
  destroy(): void;
}

function withAlpha(color: string, alpha: number): string {
  // Theme colours are #rrggbb.
  if (!/^#[0-9a-f]{6}$/i.test(color)) return color;
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, "0");
  return `${color}${a}`;
}

export function timeChart(
  container: HTMLElement,
  series: SeriesSpec[],
  initialFormat: (v: number) => string,
  height = 220,
): TimeChart {
  let format = initialFormat;
  const width = () => Math.max(200, Math.floor(container.clientWidth));
  const opts: uPlot.Options = {
    width: width(),
    height,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      {
        stroke: () => palette().muted,
        grid: { stroke: () => palette().grid, width: 1 },
        ticks: { stroke: () => palette().grid, width: 1 },
      },
      {
        stroke: () => palette().muted,
        grid: { stroke: () => palette().grid, width: 1 },
        ticks: { stroke: () => palette().grid, width: 1 },
        size: 80,
        values: (_u, splits) => splits.map((v) => format(v)),
      },
    ],
    series: [
      {},
      ...series.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: () => palette().series[s.color] ?? "#888888",
          width: 1.5,
          points: { show: false },
          value: (_u, v) => (v === null ? "–" : format(v)),
          ...(s.fill === true
            ? { fill: () => withAlpha(palette().series[s.color] ?? "#888888", 0.15) }
            : {}),
        }),
      ),
    ],
  };
  const empty: uPlot.AlignedData = [[], ...series.map(() => [])];
  const plot = new uPlot(opts, empty, container);
  const resize = new ResizeObserver(() => {
    const w = width();
    if (w !== plot.width) plot.setSize({ width: w, height });
  });
  resize.observe(container);
  const redraw = () => plot.redraw(false, true);
  const unsubscribe = onThemeChange(redraw);
  return {
    plot,
    setData(x, ys) {
      plot.setData([x, ...ys]);
    },
    setFormat(f) {
      format = f;
      // Axis labels are measured on redraw.
      plot.redraw(true, true);
    },
    destroy() {
      resize.disconnect();
      unsubscribe();
      plot.destroy();
    },
  };
}
