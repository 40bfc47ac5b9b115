/**
 * A tiny static file server for browser tests: serves a folder (fixture pages, their assets)
 * on 127.0.0.1, port 0, with correct content types, plus optional extra routes for pages a
 * test builds itself (a harness page, a bundle from `dist/`).
 *
 * Use one instance per origin you need: two `serveStatic()` calls give two ports, hence
 * two origins (handy to put a page in a cross-origin iframe).
 *
 * ```ts
 * const server = await serveStatic(fixturesDir, { '/harness.html': () => ({ type: 'text/html', body: html }) });
 * await page.goto(`${server.url}/forms.html`);
 * await server.close();
 * ```
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

/** What an extra route answers. */
export interface RouteResponse {
  /** The Content-Type header, e.g. `text/html; charset=utf-8`. */
  type: string;
  body: string | Buffer;
  /** HTTP status. Default 200. */
  status?: number;
}

/**
 * Answers one exact path (no query string). Receives the request and its parsed URL
 * (query parameters in `url.searchParams`).
 */
export type RouteHandler = (request: IncomingMessage, url: URL) => RouteResponse | Promise<RouteResponse>;

/** A running static server. */
export interface StaticServer {
  /** Origin of the server, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Stops the server and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/** Content types by file extension (lower case, with the dot). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.mp4': 'video/mp4',
};

/** The Content-Type for a file name; unknown extensions are served as bytes. */
export function contentTypeOf(fileName: string): string {
  return CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Serves `rootDir` (and `extraRoutes`, which take precedence) on 127.0.0.1 with a free port.
 * Only GET and HEAD are answered; paths that leave `rootDir`, directories and missing files
 * get 404. Responses are never cached, so a test always sees the files as they are now.
 */
export async function serveStatic(rootDir: string, extraRoutes: Readonly<Record<string, RouteHandler>> = {}): Promise<StaticServer> {
  const root = path.resolve(rootDir);
  const server = createServer((request, response) => {
    const fail = (status: number, message: string) => {
      if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(message);
    };
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'method not allowed');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const route = extraRoutes[url.pathname];
      if (route) {
        const answer = await route(request, url);
        response.writeHead(answer.status ?? 200, { 'content-type': answer.type, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : answer.body);
        return;
      }
      let relative: string;
      try {
        relative = decodeURIComponent(url.pathname);
      } catch {
        return fail(400, 'bad path encoding');
      }
      const file = path.resolve(root, '.' + relative);
      // Never serve anything outside the root, whatever `..` or encoded slashes say.
      if (file !== root && !file.startsWith(root + path.sep)) return fail(404, 'not found');
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return fail(404, 'not found');
      response.writeHead(200, {
        'content-type': contentTypeOf(file),
        'content-length': info.size,
        'cache-control': 'no-store',
      });
      if (request.method === 'HEAD') return response.end();
      createReadStream(file)
        .on('error', () => response.destroy())
        .pipe(response);
    })().catch((error: unknown) => fail(500, `static server error: ${String(error)}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
