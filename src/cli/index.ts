/**
 * The `opencobrowse` executable (bundled to dist/cli.js). Everything is in `program.ts`;
 * this file only runs it on the process's arguments and sets the exit code. Tests import
 * `program.ts` (importing this file would run the command line).
 *
 * The CLI is the one place that writes to stdout/stderr directly (the server logs through
 * pino); it uses the streams, not `console`.
 */
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// `serve` keeps running on its sockets; every other command is done and may exit.
if (code !== 0) process.exit(code);
