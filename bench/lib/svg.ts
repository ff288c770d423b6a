import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Minimal SVG charts (no plotting dependency): overlaid histograms with vertical marker lines,
 * and line charts. Fixed layout, axes with "nice" ticks, a legend; enough for docs.
 */

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { top: 40, right: 24, bottom: 56, left: 64 };
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export interface HistogramSeries {
  label: string;
  values: readonly number[];
  color?: string;
}

export interface MarkerLine {
  x: number;
  label: string;
  color?: string;
}

export interface HistogramOptions {
  title: string;
  xLabel: string;
  yLabel?: string;
  bins?: number;
  range?: [number, number];
  markers?: MarkerLine[];
}

export interface LineSeries {
  label: string;
  points: readonly { x: number; y: number }[];
  color?: string;
}

export type LegendPosition = 'top-right' | 'bottom-left';

export interface LineChartOptions {
  title: string;
  legend?: LegendPosition;
  xLabel: string;
  yLabel: string;
  xRange?: [number, number];
  yRange?: [number, number];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 1-2-5 tick steps covering [min, max] with about `count` ticks. */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Math.round(t / step) * step);
  }
  return ticks;
}

function tickLabel(t: number): string {
  return String(Math.round(t * 1e6) / 1e6);
}

class Frame {
  readonly plotW = WIDTH - MARGIN.left - MARGIN.right;
  readonly plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  readonly parts: string[] = [];

  constructor(
    readonly x: [number, number],
    readonly y: [number, number],
  ) {}

  sx(v: number): number {
    return MARGIN.left + ((v - this.x[0]) / (this.x[1] - this.x[0] || 1)) * this.plotW;
  }

  sy(v: number): number {
    return MARGIN.top + this.plotH - ((v - this.y[0]) / (this.y[1] - this.y[0] || 1)) * this.plotH;
  }

  axes(title: string, xLabel: string, yLabel: string): void {
    const p = this.parts;
    const bottom = MARGIN.top + this.plotH;
    p.push(
      `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    );
    for (const t of niceTicks(this.x[0], this.x[1])) {
      const x = this.sx(t).toFixed(1);
      p.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333"/>`);
      p.push(`<text x="${x}" y="${bottom + 18}" text-anchor="middle" font-size="11">${tickLabel(t)}</text>`);
    }
    for (const t of niceTicks(this.y[0], this.y[1])) {
      const y = this.sy(t).toFixed(1);
      p.push(
        `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + this.plotW}" y2="${y}" stroke="#e5e5e5"/>`,
      );
      p.push(
        `<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${tickLabel(t)}</text>`,
      );
    }
    p.push(
      `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${this.plotW}" height="${this.plotH}" fill="none" stroke="#333"/>`,
    );
    p.push(
      `<text x="${MARGIN.left + this.plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle" font-size="13">${escapeXml(xLabel)}</text>`,
    );
    p.push(
      `<text transform="translate(18 ${MARGIN.top + this.plotH / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(yLabel)}</text>`,
    );
  }

  legend(
    entries: { label: string; color: string; dashed?: boolean }[],
    position: LegendPosition = 'top-right',
  ): void {
    const height = entries.length * 18 + 4;
    const left = position === 'top-right' ? MARGIN.left + this.plotW - 216 : MARGIN.left + 8;
    const top = position === 'top-right' ? MARGIN.top + 6 : MARGIN.top + this.plotH - height - 8;
    // A white panel so the legend stays readable where it overlaps the data.
    this.parts.push(
      `<rect x="${left}" y="${top}" width="210" height="${height}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`,
    );
    entries.forEach((e, i) => {
      const x = left + 6;
      const y = top + 10 + i * 18;
      const dash = e.dashed ? ' stroke-dasharray="5 3"' : '';
      this.parts.push(
        `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${e.color}" stroke-width="3"${dash}/>`,
        `<text x="${x + 28}" y="${y}" dominant-baseline="middle" font-size="12">${escapeXml(e.label)}</text>`,
      );
    });
  }

  render(): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
      `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
      ...this.parts,
      '</svg>',
      '',
    ].join('\n');
  }
}

/** Overlaid step histograms (counts per bin) of each series, with optional vertical markers. */
export function histogramSvg(series: HistogramSeries[], options: HistogramOptions): string {
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const [lo, hi] = options.range ?? [Math.min(...all), Math.max(...all)];
  const bins = options.bins ?? 50;
  const width = (hi - lo) / bins || 1;
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) {
      if (!Number.isFinite(v) || v < lo || v > hi) continue;
      c[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
    }
    return c;
  });
  const maxCount = Math.max(1, ...counts.flat());
  const frame = new Frame([lo, hi], [0, maxCount * 1.08]);
  frame.axes(options.title, options.xLabel, options.yLabel ?? 'count');
  series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length]!;
    const c = counts[si]!;
    let d = `M ${frame.sx(lo).toFixed(1)} ${frame.sy(0).toFixed(1)}`;
    c.forEach((count, i) => {
      const y = frame.sy(count).toFixed(1);
      d += ` L ${frame.sx(lo + i * width).toFixed(1)} ${y} L ${frame.sx(lo + (i + 1) * width).toFixed(1)} ${y}`;
    });
    d += ` L ${frame.sx(hi).toFixed(1)} ${frame.sy(0).toFixed(1)} Z`;
    frame.parts.push(
      `<path d="${d}" fill="${color}" fill-opacity="0.35" stroke="${color}" stroke-width="1.5"/>`,
    );
  });
  const markers = options.markers ?? [];
  markers.forEach((m, i) => {
    const x = frame.sx(m.x).toFixed(1);
    const color = m.color ?? '#000';
    frame.parts.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + frame.plotH}" stroke="${color}" stroke-width="2" stroke-dasharray="5 3"/>`,
      `<text x="${Number(x) + 4}" y="${MARGIN.top + 14 + i * 14}" font-size="11" fill="${color}">${escapeXml(m.label)}</text>`,
    );
  });
  frame.legend(
    series.map((s, i) => ({
      label: `${s.label} (n=${s.values.length})`,
      color: s.color ?? PALETTE[i % PALETTE.length]!,
    })),
  );
  return frame.render();
}

/** One polyline per series, with point markers. */
export function lineChartSvg(input: LineSeries[], options: LineChartOptions): string {
  // Points with an undefined coordinate (e.g. precision with no detections) are left out.
  const series = input.map((s) => ({
    ...s,
    points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)),
  }));
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xRange = options.xRange ?? [Math.min(...xs), Math.max(...xs)];
  const yRange = options.yRange ?? [Math.min(0, ...ys), Math.max(...ys) * 1.05];
  const frame = new Frame(xRange, yRange);
  frame.axes(options.title, options.xLabel, options.yLabel);
  series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length]!;
    const pts = s.points.map((p) => `${frame.sx(p.x).toFixed(1)},${frame.sy(p.y).toFixed(1)}`);
    frame.parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of s.points) {
      frame.parts.push(
        `<circle cx="${frame.sx(p.x).toFixed(1)}" cy="${frame.sy(p.y).toFixed(1)}" r="3" fill="${color}"/>`,
      );
    }
  });
  frame.legend(
    series.map((s, i) => ({ label: s.label, color: s.color ?? PALETTE[i % PALETTE.length]! })),
    options.legend,
  );
  return frame.render();
}

export function writeSvg(file: string, svg: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, svg);
}
