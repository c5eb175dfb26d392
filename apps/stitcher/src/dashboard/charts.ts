/**
 * Time charts drawn by uPlot on a canvas (loaded as a classic script from /vendor/uplot/,
 * node_modules, never a CDN): a chart is made once and then only given new columns, so a
 * hundred streams' points cost no DOM work. Each chart's figure says in words what it shows and
 * its latest values, for readers that do not see the canvas.
 */
import type uPlot from 'uplot';
import { el } from './dom.js';

declare global {
  interface Window {
    uPlot?: typeof uPlot;
  }
}

export interface SeriesSpec {
  label: string;
  /** Unit shown with the latest value ("ms", "%", "jobs/s"). */
  unit: string;
  /** Scale key: series of different units on one chart get their own axis. */
  scale?: string;
  bars?: boolean;
}

/** Distinct on white and on each other, each at least 3:1 against the background. */
const COLOURS = ['#1f5fbf', '#b3261e', '#1b7a3a', '#8a4b00', '#6b3fa0', '#00707a', '#a0306b', '#4a4a4a'];
const HEIGHT = 220;

export class TimeChart {
  readonly figure: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly plotArea: HTMLElement;
  private plot?: uPlot;
  private series: SeriesSpec[] = [];
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(
    readonly id: string,
    private readonly title: string,
  ) {
    this.figure = el('figure', null, 'chart');
    this.figure.id = id;
    const caption = el('figcaption', title);
    this.plotArea = el('div', null, 'plot');
    this.plotArea.setAttribute('role', 'img');
    this.summary = el('p', 'no data yet', 'chart-summary');
    this.summary.id = `${id}-summary`;
    this.plotArea.setAttribute('aria-labelledby', this.summary.id);
    this.figure.append(caption, this.plotArea, this.summary);
    this.resize.observe(this.figure);
  }

  /** `x`: epoch ms; `columns`: one array per series, aligned with x (null: no value there). */
  setData(series: SeriesSpec[], x: readonly number[], columns: readonly (readonly (number | null)[])[]): void {
    const data = [x.map((ms) => ms / 1000), ...columns] as uPlot.AlignedData;
    if (!this.plot || !sameSeries(series, this.series)) this.build(series, data);
    else this.plot.setData(data);
    this.figure.dataset.points = String(x.length);
    this.summary.textContent = summaryOf(this.title, series, x, columns);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
  }

  private build(series: SeriesSpec[], data: uPlot.AlignedData): void {
    const Plot = window.uPlot;
    if (!Plot) return;
    this.plot?.destroy();
    this.series = series;
    const scales = [...new Set(series.map((s) => s.scale ?? 'y'))];
    const bars = Plot.paths.bars?.({ size: [0.6, 40] });
    this.plot = new Plot(
      {
        width: this.width(),
        height: HEIGHT,
        scales: Object.fromEntries([['x', { time: true }], ...scales.map((key) => [key, { auto: true, range: nonNegative }])]),
        axes: [
          { stroke: '#333' },
          ...scales.map((scale, i) => ({
            scale,
            stroke: '#333',
            side: i === 0 ? 3 : 1,
            label: series.find((s) => (s.scale ?? 'y') === scale)?.unit,
            grid: { show: i === 0, stroke: '#e3e3e3' },
          })),
        ] as uPlot.Axis[],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            scale: s.scale ?? 'y',
            stroke: COLOURS[i % COLOURS.length],
            fill: s.bars ? `${COLOURS[i % COLOURS.length]}99` : undefined,
            width: 2,
            spanGaps: false,
            paths: s.bars ? bars : undefined,
            points: { show: !s.bars, size: 4 },
          })),
        ],
        cursor: { focus: { prox: 16 } },
        legend: { live: true },
      },
      data,
      this.plotArea,
    );
  }

  private width(): number {
    return Math.max(240, Math.floor(this.figure.clientWidth || 600) - 8);
  }

  private fit(): void {
    if (this.plot && Math.abs(this.plot.width - this.width()) > 4) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }
}

function nonNegative(_u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  return [Math.min(0, min), max > 0 ? max * 1.1 : 1];
}

function sameSeries(a: SeriesSpec[], b: SeriesSpec[]): boolean {
  return a.length === b.length && a.every((s, i) => s.label === b[i].label && s.unit === b[i].unit && s.scale === b[i].scale);
}

/** "Round trip: 230 ms, Republish lag: 2100 ms (latest of 120 points)". */
export function summaryOf(
  title: string,
  series: SeriesSpec[],
  x: readonly number[],
  columns: readonly (readonly (number | null)[])[],
): string {
  if (x.length === 0) return `${title}: no data in this window`;
  const latest = series.map((s, i) => {
    const column = columns[i] ?? [];
    for (let j = column.length - 1; j >= 0; j--) {
      const value = column[j];
      if (value !== null && value !== undefined) return `${s.label} ${Math.round(value * 100) / 100} ${s.unit}`;
    }
    return `${s.label} none`;
  });
  return `${title}, latest: ${latest.join(', ')} (${x.length} points)`;
}
