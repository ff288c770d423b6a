import { count } from '../lib/format.js';

/**
 * Horizontal bars, one per value, drawn as inline SVG (no chart library: a few rectangles do).
 * The numbers are printed beside the bars and summarised for screen readers.
 */
export function BarChart({
  title,
  items,
}: {
  title: string;
  items: Array<{ label: string; value: number }>;
}) {
  const max = Math.max(1, ...items.map((item) => item.value));
  const row = 34;
  const labelWidth = 150;
  const width = 520;
  const barSpace = width - labelWidth - 80;
  const summary = items.map((item) => `${item.label} ${count(item.value)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${items.length * row}`} role="img" aria-label={`${title}: ${summary}`}>
        {items.map((item, index) => {
          const barWidth = Math.max(item.value > 0 ? 2 : 0, (item.value / max) * barSpace);
          const y = index * row;
          return (
            <g key={item.label}>
              <text class="chart-label" x={labelWidth - 10} y={y + row / 2 + 5} text-anchor="end">
                {item.label}
              </text>
              <rect class="chart-bar" x={labelWidth} y={y + 6} width={barWidth} height={row - 12} rx={3} />
              <text class="chart-value" x={labelWidth + barWidth + 8} y={y + row / 2 + 5}>
                {count(item.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** The gallery's mean embedding, one bar per dimension around zero: a drift check at a glance. */
export function VectorChart({ title, values }: { title: string; values: number[] }) {
  const height = 160;
  const width = Math.max(320, values.length * 4);
  const max = Math.max(1e-9, ...values.map(Math.abs));
  const step = width / values.length;
  const middle = height / 2;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: ${values.length} dimensions, largest magnitude ${max.toFixed(3)}`}
        preserveAspectRatio="none"
        class="vector-chart"
      >
        <line class="chart-axis" x1={0} x2={width} y1={middle} y2={middle} />
        {values.map((value, index) => {
          const h = (Math.abs(value) / max) * (middle - 4);
          return (
            <rect
              key={index}
              class={value >= 0 ? 'chart-bar' : 'chart-bar-negative'}
              x={index * step + step * 0.15}
              y={value >= 0 ? middle - h : middle}
              width={step * 0.7}
              height={h}
            />
          );
        })}
      </svg>
    </figure>
  );
}
