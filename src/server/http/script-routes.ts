/**
 * The scripts customer sites and agents load: the Glance script tag URL
 * (`/cobrowse/CobrowseJS.ashx?group=G&site=S`, `&script=Agent` for the agent API,
 * `&script=XDOM` for a cross-domain helper page), its
 * clean alias `/cobrowse/loader.js`, and every built bundle under `/static/`.
 *
 * They are embedded cross-origin on customer sites, so they carry CORS and CORP headers,
 * and a short cache: the bundles are not fingerprinted, and after an upgrade the loader
 * and the engine it loads must not disagree for long.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HttpDeps } from './context.js';

/** How long browsers may reuse a script without asking again, ms. */
export const SCRIPT_MAX_AGE_MS = 5 * 60 * 1000;

/** The bundles behind the script tag, by `script=` value (case-sensitive, as in Glance). */
const TAG_SCRIPTS: Readonly<Record<string, string>> = { Agent: 'agent-api.js' };
const LOADER_FILE = 'loader.js';
/** The cross-domain helper script ([XD2]): served with the group's trusted domains. */
const XDOM_FILE = 'xdom.js';
const GROUP_ID = /^[0-9]{4,6}$/;

/** A JavaScript comment, safe whatever `text` holds. */
function jsComment(text: string): string {
  return `/* OpenCobrowse: ${text.replace(/\*\//g, '* /')} */\n`;
}

/** Registers the script routes and the /static file server. */
export async function registerScriptRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  await app.register(fastifyStatic, {
    root: deps.publicDir,
    prefix: '/static/',
    index: false,
    dotfiles: 'ignore',
    // Files are looked up per request, so a rebuild is served without a restart.
    wildcard: true,
    cacheControl: true,
    maxAge: SCRIPT_MAX_AGE_MS,
    etag: true,
    lastModified: true,
    setHeaders(response) {
      // Loaded by <script> tags on customer sites, including ones that use COEP.
      response.setHeader('access-control-allow-origin', '*');
      response.setHeader('cross-origin-resource-policy', 'cross-origin');
    },
  });

  const sendScript = (reply: FastifyReply, file: string) => {
    if (!existsSync(path.join(deps.publicDir, file))) {
      deps.logger.error(
        { file, publicDir: deps.publicDir },
        'script bundle missing: run `npm run build`',
      );
      return reply
        .code(503)
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(
          jsComment(`${file} is not built on this server; its operator must run "npm run build".`),
        );
    }
    return reply.sendFile(file);
  };

  /**
   * `script=XDOM`: the helper bundle wrapped in a function that receives the group's and
   * site's trusted domains, so the helper accepts session info only from those origins.
   * Per group and site, hence not from the static files (same cache lifetime).
   */
  const sendXdom = async (reply: FastifyReply, group: unknown, site: unknown) => {
    if (typeof group !== 'string' || !GROUP_ID.test(group) || (site !== 'staging' && site !== 'production')) {
      return reply
        .code(400)
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(jsComment('script=XDOM needs group=<group id> and site=staging or site=production.'));
    }
    const file = path.join(deps.publicDir, XDOM_FILE);
    if (!existsSync(file)) return sendScript(reply, XDOM_FILE);
    const known = await deps.store.getGroup(group);
    const trusted = known ? (await deps.store.getSettings(group, site)).trustedDomains : [];
    // The source map's lines would be off by the wrapper's one: left out.
    const bundle = (await readFile(file, 'utf8')).replace(/\/\/# sourceMappingURL=.*\s*$/, '');
    // JSON is a JavaScript expression; `<` is escaped anyway so the text is inert everywhere.
    const settings = JSON.stringify({ group, site, trusted }).replace(/</g, '\\u003c');
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', `public, max-age=${SCRIPT_MAX_AGE_MS / 1000}`)
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(`(function (__OC_XDOM__) {\n${bundle}})(${settings});\n`);
  };

  app.get('/cobrowse/CobrowseJS.ashx', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const script = query['script'];
    if (script === undefined) return sendScript(reply, LOADER_FILE);
    if (script === 'XDOM') return sendXdom(reply, query['group'], query['site']);
    const file =
      typeof script === 'string' && Object.hasOwn(TAG_SCRIPTS, script)
        ? TAG_SCRIPTS[script]
        : undefined;
    if (file) return sendScript(reply, file);
    // Echo the value only when it is harmless to show.
    const shown =
      typeof script === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(script) ? `"${script}"` : 'given';
    return reply
      .code(400)
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        jsComment(
          `unknown script= value ${shown}. Use script=Agent (case-sensitive) for the agent API, script=XDOM for a cross-domain helper page, or leave script= out for the visitor loader.`,
        ),
      );
  });

  app.get('/cobrowse/loader.js', async (_request, reply) => sendScript(reply, LOADER_FILE));
}
