/** Inline SVG charts for the HTML report (no scripts, no network): each returns a complete <svg>. */

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Compact number for labels: 3 significant digits, thousands grouped. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}

export const COLORS = {
  radio: '#d9534f',
  compute: '#5b8def',
  sensing: '#f0ad4e',
  sleep: '#7a8b99',
  raw: '#222',
  edge: '#2e9e5b',
};
const SEGMENTS = ['radio', 'compute', 'sensing', 'sleep'] as const;
type Split = Record<(typeof SEGMENTS)[number] | 'total', number>;

export interface SplitBarRow {
  label: string;
  edge: Split;
  raw: Split;
  worse: boolean;
}

/**
 * Per group, two stacked bars (edge, raw) of J/day split by radio/compute/sensing/sleep. Each row is
 * scaled to its own larger bar: groups differ by orders of magnitude (BLE vs Wi-Fi), the comparison
 * that matters is inside a row; absolute values are printed.
 */
export function splitBars(rows: SplitBarRow[], title: string): string {
  const labelW = 190,
    barW = 470,
    rowH = 46,
    top = 34,
    w = labelW + barW + 150;
  const h = top + rows.length * rowH + 10;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const scale = Math.max(r.edge.total, r.raw.total) || 1;
    parts.push(`<text x="4" y="${y + 20}" class="lbl${r.worse ? ' worse' : ''}">${esc(r.label)}</text>`);
    (['edge', 'raw'] as const).forEach((mode, k) => {
      const split = r[mode];
      let x = labelW;
      const yy = y + k * 19;
      for (const seg of SEGMENTS) {
        const bw = (split[seg] / scale) * barW;
        if (bw > 0)
          parts.push(
            `<rect x="${x.toFixed(2)}" y="${yy}" width="${Math.max(bw, 0.5).toFixed(2)}" height="16" fill="${COLORS[seg]}"><title>${esc(`${r.label} ${mode} ${seg}: ${fmt(split[seg])} J/day`)}</title></rect>`,
          );
        x += bw;
      }
      parts.push(`<text x="${labelW - 6}" y="${yy + 12}" class="mode" text-anchor="end">${mode}</text>`);
      parts.push(`<text x="${x + 6}" y="${yy + 12}" class="val">${fmt(split.total)} J/day</text>`);
    });
  });
  const legend = SEGMENTS.map(
    (s, i) =>
      `<rect x="${labelW + i * 95}" y="8" width="12" height="12" fill="${COLORS[s]}"/><text x="${labelW + i * 95 + 16}" y="18" class="val">${s}</text>`,
  ).join('');
  return svg(w, h, title, 'split', legend + parts.join(''));
}

export interface PairRow {
  label: string;
  a: number | null;
  b: number | null;
}

/** Two bars per row (e.g. battery days edge vs raw), one linear scale for all rows. */
export function pairBars(
  rows: PairRow[],
  title: string,
  unit: string,
  names: [string, string],
  kind: string,
  log = false,
): string {
  const labelW = 190,
    barW = 470,
    rowH = 40,
    top = 34,
    w = labelW + barW + 150;
  const h = top + rows.length * rowH + 10;
  const vals = rows.flatMap((r) => [r.a ?? 0, r.b ?? 0]).filter((v) => v > 0);
  const max = Math.max(...vals, 1e-9);
  const min = Math.min(...vals, max);
  const lo = log ? Math.pow(10, Math.floor(Math.log10(min))) : 0;
  const width = (v: number) =>
    v <= 0 ? 0 : log ? (Math.log10(v / lo) / Math.log10((max * 1.0001) / lo || 10)) * barW : (v / max) * barW;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="4" y="${y + 17}" class="lbl">${esc(r.label)}</text>`);
    [r.a, r.b].forEach((v, k) => {
      const yy = y + k * 17;
      const bw = Math.max(width(v ?? 0), v ? 1 : 0);
      if (bw > 0)
        parts.push(
          `<rect x="${labelW}" y="${yy}" width="${bw.toFixed(2)}" height="14" fill="${k === 0 ? COLORS.edge : COLORS.raw}"><title>${esc(`${r.label} ${names[k]}: ${fmt(v)} ${unit}`)}</title></rect>`,
        );
      parts.push(
        `<text x="${labelW + bw + 6}" y="${yy + 11}" class="val">${v === null ? 'n/a' : `${fmt(v)} ${esc(unit)}`}</text>`,
      );
    });
  });
  const legend = names
    .map(
      (nm, k) =>
        `<rect x="${labelW + k * 120}" y="8" width="12" height="12" fill="${k === 0 ? COLORS.edge : COLORS.raw}"/><text x="${labelW + k * 120 + 16}" y="18" class="val">${esc(nm)}</text>`,
    )
    .join('');
  const scaleNote = `<text x="${labelW + 260}" y="18" class="val">${log ? `log scale from ${fmt(lo)} ${esc(unit)}` : 'linear scale'}</text>`;
  return svg(w, h, title, kind, legend + scaleNote + parts.join(''));
}

export interface SeriesPoint {
  t: string;
  edge: Split;
  rawTotal: number;
}

/** Stacked areas of the edge split over time, raw-streaming total as a dashed line. */
export function timeSeriesChart(points: SeriesPoint[], title: string): string {
  const w = 810,
    h = 300,
    l = 60,
    r = 20,
    t = 30,
    b = 50;
  const pw = w - l - r,
    ph = h - t - b;
  const max = Math.max(...points.map((p) => Math.max(p.edge.total, p.rawTotal)), 1e-9);
  const x = (i: number) => l + (points.length === 1 ? pw / 2 : (i / (points.length - 1)) * pw);
  const y = (v: number) => t + ph - (v / max) * ph;
  const parts: string[] = [
    `<line x1="${l}" y1="${t + ph}" x2="${l + pw}" y2="${t + ph}" class="axis"/><line x1="${l}" y1="${t}" x2="${l}" y2="${t + ph}" class="axis"/>`,
  ];
  for (const f of [0, 0.5, 1])
    parts.push(`<text x="${l - 6}" y="${y(max * f) + 4}" class="val" text-anchor="end">${fmt(max * f)}</text>`);
  parts.push(`<text x="4" y="${t - 10}" class="val">J per device-day</text>`);
  let base = points.map(() => 0);
  for (const seg of SEGMENTS) {
    const topv = points.map((p, i) => base[i]! + p.edge[seg]);
    if (points.length === 1) {
      parts.push(
        `<rect x="${x(0) - 20}" y="${y(topv[0]!)}" width="40" height="${Math.max(0, y(base[0]!) - y(topv[0]!))}" fill="${COLORS[seg]}"><title>${esc(`${seg}: ${fmt(points[0]!.edge[seg])} J/day`)}</title></rect>`,
      );
    } else {
      const up = topv.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      const down = base.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse();
      parts.push(
        `<path d="M${[...up, ...down].join(' L')} Z" fill="${COLORS[seg]}" opacity="0.85"><title>${esc(seg)}</title></path>`,
      );
    }
    base = topv;
  }
  const rawPts = points.map((p, i) => `${x(i).toFixed(1)},${y(p.rawTotal).toFixed(1)}`);
  parts.push(
    points.length === 1
      ? `<circle cx="${x(0)}" cy="${y(points[0]!.rawTotal)}" r="4" fill="${COLORS.raw}"/>`
      : `<path d="M${rawPts.join(' L')}" fill="none" stroke="${COLORS.raw}" stroke-width="2" stroke-dasharray="6 4"><title>raw streaming total</title></path>`,
  );
  const step = Math.max(1, Math.ceil(points.length / 6));
  points.forEach((p, i) => {
    const anchor =
      points.length > 1 && i === points.length - 1 ? 'end' : i === 0 && points.length > 1 ? 'start' : 'middle';
    if ((i % step === 0 && points.length - 1 - i >= step / 2) || i === points.length - 1)
      parts.push(
        `<text x="${x(i)}" y="${t + ph + 16}" class="val" text-anchor="${anchor}">${esc(p.t.slice(0, 16).replace('T', ' '))}</text>`,
      );
  });
  const legend = [
    ...SEGMENTS.map(
      (s, i) =>
        `<rect x="${l + 140 + i * 85}" y="${h - 18}" width="12" height="12" fill="${COLORS[s]}"/><text x="${l + 156 + i * 85}" y="${h - 8}" class="val">${s}</text>`,
    ),
    `<line x1="${l + 490}" y1="${h - 12}" x2="${l + 520}" y2="${h - 12}" stroke="${COLORS.raw}" stroke-width="2" stroke-dasharray="6 4"/><text x="${l + 526}" y="${h - 8}" class="val">raw streaming</text>`,
  ];
  return svg(w, h, title, 'timeseries', parts.join('') + legend.join(''));
}

function svg(w: number, h: number, title: string, kind: string, body: string): string {
  return `<svg class="chart" data-chart="${esc(kind)}" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body}</svg>`;
}
