/**
 * The engine's console output. Everything goes through here so `GLANCE_COBROWSE.disableLogging`
 * silences all of it, and every line carries the `[cobrowse]` prefix site owners search for.
 */

/** Console messages of the engine. */
export interface Log {
  /** Something the site owner must fix, or a failure the visitor will notice. */
  error(message: string, detail?: unknown): void;
  /** Something unexpected that we recovered from. */
  warn(message: string, detail?: unknown): void;
}

/** A log that writes to the console unless `silent`. */
export function createLog(silent: boolean): Log {
  const write = (level: 'error' | 'warn') => (message: string, detail?: unknown) => {
    if (silent) return;
    if (detail === undefined) console[level](`[cobrowse] ${message}`);
    else console[level](`[cobrowse] ${message}`, detail);
  };
  return { error: write('error'), warn: write('warn') };
}
