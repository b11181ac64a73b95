/**
 * Turns the measurements into the rows of issue 3's "Measured, not assumed"
 * table: Postern, the reference measured in the same run, the ratio, the
 * target and whether it was met.
 */
export interface Row {
  measure: string;
  postern: string;
  reference: string;
  /** Postern / reference (lower is better); null when there is no reference. */
  ratio: number | null;
  target: string;
  /** null: nothing to judge (informational row). */
  pass: boolean | null;
}

export const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

/** A row judged by the ratio to its reference. */
export function ratioRow(measure: string, postern: number, reference: number, maxRatio: number, target: string, format = ms): Row {
  const ratio = postern / reference;
  return { measure, postern: format(postern), reference: format(reference), ratio, target, pass: ratio <= maxRatio };
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['measure', 'Postern', 'reference', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [
    r.measure, r.postern, r.reference, r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`, r.target,
    r.pass === null ? '' : r.pass ? 'pass' : 'MISS',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
