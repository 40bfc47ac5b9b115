/**
 * A small HTTP server for the browser benchmarks (127.0.0.1, port 0): exact-path routes
 * the runner adds as it goes (generated pages, bundles, recorded payloads) and one folder
 * served under a prefix (the project's fixture pages). Never cached, so every fresh tab
 * loads the page the same way.
 */
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

/** A route's answer. */
export interface SiteResponse {
  /** Content-Type header. */
  type: string;
  body: string | Uint8Array;
}

/** A running site. */
export interface Site {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Serves `body` at exactly `pathname` (replacing an earlier route of that path). */
  route(pathname: string, response: SiteResponse | (() => SiteResponse)): void;
  /** Stops the server and its connections. Idempotent. */
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.gif': 'image/gif',
};

/** Starts a site; `folders` maps URL prefixes (e.g. `/fixtures/`) to directories. */
export async function startSite(folders: Readonly<Record<string, string>> = {}): Promise<Site> {
  const routes = new Map<string, SiteResponse | (() => SiteResponse)>();
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const route = routes.get(url.pathname);
      const send = (status: number, type: string, body: string | Uint8Array) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        response.end(body);
      };
      if (route) {
        const answer = typeof route === 'function' ? route() : route;
        return send(200, answer.type, answer.body);
      }
      for (const [prefix, dir] of Object.entries(folders)) {
        if (!url.pathname.startsWith(prefix)) continue;
        const root = path.resolve(dir);
        const file = path.resolve(root, '.' + decodeURIComponent(url.pathname.slice(prefix.length - 1)));
        if (!file.startsWith(root + path.sep)) break;
        const info = await stat(file).catch(() => null);
        if (!info?.isFile()) break;
        return send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', await readFile(file));
      }
      // The generated pages refer to a tiny image; answer it rather than log 404s.
      if (url.pathname === '/i.gif') return send(200, 'image/gif', TRANSPARENT_GIF);
      send(404, 'text/plain', 'not found');
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`bench site error: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    route: (pathname, response) => void routes.set(pathname, response),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** A 1×1 transparent GIF. */
const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
