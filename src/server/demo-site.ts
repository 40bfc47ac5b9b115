/**
 * The demo visitor site: the pages of demo/site served from a second origin (its own
 * port), so the script tag is cross-origin as on a real customer site. HTML pages get the
 * server's URL substituted for `{{COBROWSE_ORIGIN}}`.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

/** Options of `startDemoSite`. */
export interface DemoSiteOptions {
  /** Directory of the pages (demo/site). */
  dir: string;
  /** Interface to listen on. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** The OpenCobrowse server's URL as browsers see it (goes into the script tag). */
  cobrowseOrigin: string;
  logger: Logger;
}

/** A running demo site. */
export interface DemoSite {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function escapeAttribute(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Serves the demo site until closed. */
export async function startDemoSite(options: DemoSiteOptions): Promise<DemoSite> {
  const root = path.resolve(options.dir);
  const origin = escapeAttribute(options.cobrowseOrigin.replace(/\/+$/, ''));

  const respond = (
    response: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
  ) => {
    response.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      // Demo pages change with the server's URL; never let a browser keep an old one.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    response.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return respond(response, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://demo.invalid').pathname);
    } catch {
      return respond(response, 400, 'text/plain; charset=utf-8', 'Bad request\n');
    }
    if (pathname === '/') pathname = '/index.html';
    const file = path.resolve(root, `.${pathname}`);
    const type = CONTENT_TYPES[path.extname(file)];
    // Only known file types inside the site directory; no dotfiles, no traversal.
    if (!type || !file.startsWith(root + path.sep) || pathname.includes('/.')) {
      return respond(response, 404, 'text/plain; charset=utf-8', 'Not found\n');
    }
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch {
      return respond(response, 404, 'text/plain; charset=utf-8', 'Not found\n');
    }
    const body = type.startsWith('text/html')
      ? content.toString('utf8').replaceAll('{{COBROWSE_ORIGIN}}', origin)
      : content;
    if (request.method === 'HEAD') {
      response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      return response.end();
    }
    return respond(response, 200, type, body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger.error({ err: error }, 'demo site request failed');
      if (!response.headersSent)
        respond(response, 500, 'text/plain; charset=utf-8', 'Server error\n');
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive; do not wait for them to time out.
        server.closeAllConnections();
      })),
  };
}
