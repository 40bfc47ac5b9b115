/**
 * The server's logger: pino, JSON lines on stdout, injected everywhere (fastify, relay,
 * WebSockets). Server code never writes to the console directly.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default stdout. */
  destination?: DestinationStream;
}

/** A pino logger that never writes secrets that end up in log objects by mistake. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: 'opencobrowse',
      redact: {
        paths: [
          'password',
          '*.password',
          'ticket',
          '*.ticket',
          'apiKey',
          '*.apiKey',
          'req.headers.cookie',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
