/** Plain-text tables for people: one row per stage, and the bench summary. */
import type { StageReport } from './pipeline.types';

function cell(v: number | undefined, digits = 0): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  return digits ? v.toFixed(digits) : Math.round(v).toLocaleString('en-US');
}

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function stageTable(reports: StageReport[]): string {
  const headers = [
    'stage',
    'acc %',
    'bal.acc %',
    'params',
    'nonzeros',
    'float32 B',
    'int8 B',
    'huffman B',
    'ratio',
    'MACs',
    'RAM B',
    's',
  ];
  const rows = reports.map((r) => [
    r.stage,
    cell(r.accuracy * 100, 2),
    r.balancedAccuracy === undefined ? '-' : cell(r.balancedAccuracy * 100, 2),
    cell(r.params || undefined),
    cell(r.nonzeros || undefined),
    cell(r.float32Bytes),
    cell(r.int8Bytes),
    cell(r.huffmanBytes),
    r.compressionRatio ? `${r.compressionRatio.toFixed(1)}x` : '-',
    cell(r.macs),
    cell(r.arenaBytes),
    cell(r.seconds, 1),
  ]);
  return renderTable(headers, rows);
}
