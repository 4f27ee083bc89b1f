// How the CLI talks to people: plain sentences on stderr for errors, results on stdout.
export class CliError extends Error {}

export function printTable(rows: Array<Record<string, string>>, columns: string[]): string {
  if (rows.length === 0) return '';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}
