/** The range graph: a matrix result drawn on canvas with uPlot, one line per series. */
import uPlot from 'uplot';
import type { ResultSeries } from './api.ts';
import { formatSeries, h } from './dom.ts';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/** Lines drawn at most: past a few hundred a canvas chart is unreadable and the legend slows the page. */
const MAX_GRAPH_SERIES = 200;

/** A float sample as the API writes it; infinities and NaN leave a gap (uPlot draws finite numbers only). */
function sampleValue(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The x axis (every step from start to end, as the range query evaluates) and one y array per series. */
export function alignSeries(
  series: readonly ResultSeries[],
  start: number,
  end: number,
  step: number,
): { xs: number[]; ys: Array<Array<number | null>>; points: number } {
  const xs: number[] = [];
  for (let t = start; t <= end + 1e-9; t += step) xs.push(Math.round(t * 1000) / 1000);
  const index = new Map(xs.map((t, i) => [t, i]));
  let points = 0;
  const ys = series.map((s) => {
    const row: Array<number | null> = new Array(xs.length).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = index.get(Math.round(t * 1000) / 1000);
      if (i === undefined) continue;
      row[i] = sampleValue(v);
      points++;
    }
    return row;
  });
  return { xs, ys, points };
}

/** A mounted graph; `destroy()` frees its canvas and listeners. */
export interface GraphView {
  readonly element: HTMLElement;
  destroy(): void;
}

/** How a graph is drawn; the query page uses the defaults, dashboard panels set their own. */
export interface GraphOptions {
  /** Legend text per series (default the series' labels). */
  readonly labels?: readonly string[] | undefined;
  /** Formats the y axis and legend values (default plain numbers). */
  readonly formatValue?: ((value: number) => string) | undefined;
  readonly height?: number | undefined;
  readonly legend?: boolean | undefined;
}

/** Draws the series into a new element sized to `width`. */
export function createGraphView(
  series: readonly ResultSeries[],
  range: { start: number; end: number; step: number },
  width: number,
  options: GraphOptions = {},
): GraphView {
  const height = options.height ?? 320;
  const format = options.formatValue;
  const drawn = series.slice(0, MAX_GRAPH_SERIES);
  const { xs, ys, points } = alignSeries(drawn, range.start, range.end, range.step);
  const drawnNote = series.length > drawn.length ? ` (the first ${drawn.length} drawn)` : '';
  const caption = h(
    'p',
    { class: 'graph-caption', 'data-testid': 'graph-caption' },
    `${series.length} series${drawnNote}, ${points} points, resolution ${range.step}s`,
  );
  const canvasHolder = h('div', { class: 'graph-canvas' });
  const element = h(
    'figure',
    { class: 'graph', 'aria-label': 'Graph of the query result' },
    canvasHolder,
    caption,
  );
  const plot = new uPlot(
    {
      width: Math.max(width, 300),
      height,
      series: [
        {},
        ...drawn.map((s, i) => ({
          label: options.labels?.[i] ?? formatSeries(s.metric),
          ...(format === undefined
            ? {}
            : { value: (_u: uPlot, v: number | null) => (v === null ? '--' : format(v)) }),
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
          points: { show: false },
        })),
      ],
      axes: [
        {},
        {
          size: 70,
          ...(format === undefined ? {} : { values: (_u: uPlot, ticks: number[]) => ticks.map(format) }),
        },
      ],
      scales: { x: { time: true } },
      legend: { live: true, show: options.legend ?? true },
    },
    [xs, ...ys],
    canvasHolder,
  );
  const onResize = () => plot.setSize({ width: Math.max(element.clientWidth, 300), height });
  window.addEventListener('resize', onResize);
  return {
    element,
    destroy() {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    },
  };
}
