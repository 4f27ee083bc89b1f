// How the CLI talks to people: plain sentences on stderr for errors, results on stdout.
/** A refusal or a failure told in one sentence; `exitCode` is the process's exit status (1 unless a command documents another). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Where a command prints its results (tests give their own). */
export interface CliIo {
  out(text: string): void;
}

export const defaultIo: CliIo = { out: (text) => process.stdout.write(`${text}\n`) };

/**
 * Text from elsewhere (a peer's names and descriptions) made safe to print: control characters,
 * which could move the cursor or rewrite the terminal, become spaces.
 */
export function plain(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
}

export function printTable(rows: Array<Record<string, string>>, columns: string[]): string {
  if (rows.length === 0) return '';
  const cell = (r: Record<string, string>, c: string) => plain(r[c] ?? '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (cells: string[]) => cells.map((text, i) => text.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r, c))))].join('\n');
}
