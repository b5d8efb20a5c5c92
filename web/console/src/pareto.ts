/**
 * The ABC Pareto chart as plain SVG: cumulative value share (y) against SKU
 * share (x), the curve through every ranked SKU, with the A, B and C bands
 * shaded where each class's SKUs lie. A few dozen path points need no chart
 * library; the console stays one small bundle.
 */
import { html } from 'htm/preact';

export interface ParetoPoint {
  readonly sku: string;
  readonly abcClass: 'A' | 'B' | 'C';
  readonly rank: number;
  readonly cumulativeShare: number;
}

const width = 640;
const height = 360;
const pad = { left: 48, right: 16, top: 16, bottom: 40 };
const plotW = width - pad.left - pad.right;
const plotH = height - pad.top - pad.bottom;
const x = (share: number) => pad.left + share * plotW;
const y = (share: number) => pad.top + (1 - share) * plotH;
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** The x range (SKU share) of each class, from the ranked points. */
export const classBands = (points: readonly ParetoPoint[]): { abcClass: 'A' | 'B' | 'C'; from: number; to: number }[] => {
  const n = points.length;
  return (['A', 'B', 'C'] as const).flatMap((abcClass) => {
    const ranks = points.filter((p) => p.abcClass === abcClass).map((p) => p.rank);
    if (ranks.length === 0) return [];
    return [{ abcClass, from: (Math.min(...ranks) - 1) / n, to: Math.max(...ranks) / n }];
  });
};

export const ParetoChart = ({ points }: { points: readonly ParetoPoint[] }) => {
  const sorted = [...points].sort((a, b) => a.rank - b.rank);
  const n = sorted.length;
  const path = ['M', x(0), y(0), ...sorted.flatMap((p, i) => ['L', x((i + 1) / n), y(p.cumulativeShare)])].join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`<svg class="pareto" viewBox="0 0 ${width} ${height}" role="img" aria-label="ABC Pareto chart: cumulative value share against SKU share" data-testid="pareto">
    ${classBands(sorted).map(
      (band) => html`<g class="band band-${band.abcClass}">
        <rect x=${x(band.from)} y=${pad.top} width=${Math.max(1, x(band.to) - x(band.from))} height=${plotH} />
        <text x=${(x(band.from) + x(band.to)) / 2} y=${pad.top + 18} text-anchor="middle">${band.abcClass}</text>
      </g>`,
    )}
    ${ticks.map(
      (t) => html`<g class="tick">
        <line x1=${x(0)} x2=${x(1)} y1=${y(t)} y2=${y(t)} />
        <text x=${pad.left - 6} y=${y(t) + 4} text-anchor="end">${pct(t)}</text>
        <text x=${x(t)} y=${height - pad.bottom + 16} text-anchor="middle">${pct(t)}</text>
      </g>`,
    )}
    <path class="curve" d=${path} />
    ${sorted.map((p, i) => html`<circle class="point point-${p.abcClass}" cx=${x((i + 1) / n)} cy=${y(p.cumulativeShare)} r="3"><title>${p.sku}: ${pct(p.cumulativeShare)}</title></circle>`)}
    <text class="axis" x=${pad.left + plotW / 2} y=${height - 6} text-anchor="middle">share of SKUs (ranked by annual value)</text>
    <text class="axis" transform="rotate(-90)" x=${-(pad.top + plotH / 2)} y="12" text-anchor="middle">cumulative value share</text>
  </svg>`;
};
