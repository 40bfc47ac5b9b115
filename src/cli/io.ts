/**
 * How CLI commands write: to injected streams (so tests can run commands in process),
 * never through `console`. Errors meant for the user are `CliError`s with an exit code.
 */

/** Where a command writes. */
export interface CliIo {
  /** A line of normal output (stdout). */
  out(text: string): void;
  /** A line of diagnostics (stderr). */
  err(text: string): void;
  /** Everything on standard input (for `--password-stdin`). */
  readStdin(): Promise<string>;
}

/** The process's own streams. */
export const processIo: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Exit code of a refused or failed action. */
export const EXIT_FAILURE = 1;
/** Exit code of bad usage or input (a mistake on the command line). */
export const EXIT_USAGE = 2;

/** A failure to report in one line, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Rows as aligned columns under a header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
