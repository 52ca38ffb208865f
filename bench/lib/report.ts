// Medians and plain-text tables for the benchmark's results.

export const IMPLS = ['sluice', 'apache'] as const;
export type Impl = (typeof IMPLS)[number];

export interface Metrics {
  /** Records ÷ time from first record to last record. */
  readonly recordsPerSec: number;
  readonly firstRecordMs: number;
  readonly totalMs: number;
  readonly peakRssMb: number;
  readonly stopMs: number;
}

export interface RunResult {
  readonly scenario: string;
  readonly impl: Impl;
  readonly run: number;
  readonly metrics?: Metrics;
  readonly error?: string;
}

const LABELS: Record<keyof Metrics, string> = {
  recordsPerSec: 'records/s',
  firstRecordMs: 'start to first record (ms)',
  totalMs: 'total (ms)',
  peakRssMb: 'peak RSS (MB)',
  stopMs: 'stop (ms)',
};
const KEYS = Object.keys(LABELS) as (keyof Metrics)[];

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export type Summary = Record<keyof Metrics, { sluice?: number; apache?: number; ratio?: number }>;

/** Medians per metric over the successful runs of one scenario. */
export function summarize(results: RunResult[], scenario: string): Summary {
  const summary = {} as Summary;
  for (const key of KEYS) {
    const of = (impl: Impl) =>
      median(results.flatMap((r) => (r.scenario === scenario && r.impl === impl && r.metrics ? [r.metrics[key]] : [])));
    const sluice = of('sluice');
    const apache = of('apache');
    const ratio = sluice !== undefined && apache ? sluice / apache : undefined;
    summary[key] = { sluice: round(sluice), apache: round(apache), ratio: round(ratio, 2) };
  }
  return summary;
}

function round(value: number | undefined, digits = 0): number | undefined {
  return value === undefined ? undefined : Number(value.toFixed(digits));
}

const cell = (value: number | undefined) => (value === undefined ? '-' : String(value));

const HEADER = ['metric', 'sluice', 'apache', 'ratio sluice/apache'];

export function table(summary: Summary): string {
  const rows = [HEADER];
  for (const key of KEYS) {
    const { sluice, apache, ratio } = summary[key];
    rows.push([LABELS[key], cell(sluice), cell(apache), cell(ratio)]);
  }
  return aligned(rows);
}

/** Columns padded to their widest cell, separated by ' | '. */
export function aligned(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join(' | ')
        .trimEnd(),
    )
    .join('\n');
}

/** One metric of a free-form side-by-side table (medians already taken). */
export interface SideBySideRow {
  readonly label: string;
  readonly sluice?: number | undefined;
  readonly apache?: number | undefined;
}

/** Like table(), for any list of metrics: sluice | apache | sluice/apache. */
export function sideBySide(rows: readonly SideBySideRow[]): string {
  return aligned([
    HEADER,
    ...rows.map(({ label, sluice, apache }) => [
      label,
      cell(round(sluice)),
      cell(round(apache)),
      cell(round(sluice !== undefined && apache ? sluice / apache : undefined, 2)),
    ]),
  ]);
}

export function rawLine(r: RunResult): string {
  const head = `${r.scenario} ${r.impl.padEnd(6)} #${r.run}`;
  if (!r.metrics) return `${head}: FAILED ${r.error ?? ''}`;
  return `${head}: ${KEYS.map((k) => `${LABELS[k]} ${Math.round(r.metrics![k])}`).join(', ')}`;
}
