/**
 * The server-rendered pages: sign-in, agent console and viewer. Each is plain HTML with
 * no inline script; the console and viewer behaviour comes from /static bundles.
 */
import type { SessionInfo } from '../relay/types.js';
import type { Agent, Group } from '../store/store.js';
import { escapeHtml, jsonForScriptBlock, renderPage } from './html.js';

/** What the login form shows. */
export interface LoginPageOptions {
  csrfToken: string;
  next: string;
  username?: string;
  /** Shown above the form as an alert (wrong password, too many attempts). */
  error?: string;
}

/** The sign-in form ([AV4]). */
export function loginPage(options: LoginPageOptions): string {
  const error = options.error
    ? `<p class="oc-error" role="alert" id="oc-login-error">${escapeHtml(options.error)}</p>`
    : '';
  const describedBy = options.error ? ' aria-describedby="oc-login-error"' : '';
  return renderPage({
    title: 'Sign in — OpenCobrowse',
    body: `<main class="oc-card" aria-labelledby="oc-title">
<h1 id="oc-title">Sign in to OpenCobrowse</h1>
${error}
<form method="post" action="/login" class="oc-form">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}">
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<label for="oc-username">Username</label>
<input id="oc-username" name="username" autocomplete="username" required maxlength="200" value="${escapeHtml(options.username ?? '')}"${describedBy}${options.username ? '' : ' autofocus'}>
<label for="oc-password">Password</label>
<input id="oc-password" name="password" type="password" autocomplete="current-password" required maxlength="1000"${options.username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
</main>`,
  });
}

/** The viewer URL of a session key (the Glance form). */
export function viewerUrl(key: string, wait: boolean): string {
  return `/agentjoin/AgentView.aspx?SessionKey=${encodeURIComponent(key)}${wait ? '&Wait=1' : ''}`;
}

/** One live session as the console lists it (`GET /api/sessions`). */
export interface ConsoleSession {
  key: string;
  randomKey: boolean;
  site: string;
  startedAt: number;
  visitorConnected: boolean;
  agentCount: number;
  pageTitle: string;
  pageUrl: string;
  visitorName: string;
  joinUrl: string;
}

/** A session summary for the console, newest first when sorted by the caller. */
export function toConsoleSession(session: SessionInfo): ConsoleSession {
  return {
    key: session.key,
    randomKey: session.randomKey,
    site: session.site,
    startedAt: session.startedAt,
    visitorConnected: session.visitorConnected,
    agentCount: session.agentCount,
    pageTitle: session.pageTitle,
    pageUrl: session.pageUrl,
    visitorName: session.visitor.name ?? '',
    joinUrl: viewerUrl(session.key, true),
  };
}

function sessionRow(session: ConsoleSession): string {
  const started = new Date(session.startedAt).toISOString();
  const page = session.pageTitle || session.pageUrl || '(unknown page)';
  return `<tr>
<td><code>${escapeHtml(session.key)}</code>${session.visitorName ? `<br>${escapeHtml(session.visitorName)}` : ''}</td>
<td>${escapeHtml(page)}${session.pageUrl ? `<br><span class="oc-url">${escapeHtml(session.pageUrl)}</span>` : ''}</td>
<td><time datetime="${started}">${started.slice(11, 16)} UTC</time></td>
<td>${session.agentCount}</td>
<td>${session.visitorConnected ? 'Connected' : 'Away'}</td>
<td><a href="${escapeHtml(session.joinUrl)}">Join<span class="oc-sr"> session ${escapeHtml(session.key)}</span></a></td>
</tr>`;
}

/** The agent console ([issue §6]): live sessions of the agent's group and a join form. */
export function consolePage(options: {
  agent: Agent;
  group: Group | undefined;
  csrfToken: string;
  sessions: ConsoleSession[];
}): string {
  const { agent, group, sessions } = options;
  const rows = sessions.map(sessionRow).join('\n');
  const count = sessions.length === 1 ? '1 live session' : `${sessions.length} live sessions`;
  return renderPage({
    title: 'Console — OpenCobrowse',
    scripts: ['/static/console.js'],
    body: `<header class="oc-header">
<p class="oc-brand">OpenCobrowse</p>
<p>Signed in as <strong>${escapeHtml(agent.displayName || agent.username)}</strong>
(${escapeHtml(group ? `${group.name}, group ${group.id}` : `group ${agent.groupId}`)})</p>
${agent.role === 'admin' ? '<p><a href="/admin">Administration</a></p>' : ''}
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}"><button type="submit" class="oc-link-button">Sign out</button></form>
</header>
<main class="oc-console">
<h1>Agent console</h1>
<section aria-labelledby="oc-join-title">
<h2 id="oc-join-title">Join a session</h2>
<form method="get" action="/agentjoin/AgentView.aspx" class="oc-join">
<label for="oc-key">Session key or code</label>
<input id="oc-key" name="SessionKey" required pattern="[A-Za-z0-9_\\-]{1,50}" maxlength="50" title="Letters, digits, - and _ (up to 50)" autocomplete="off" inputmode="text" aria-describedby="oc-key-help">
<input type="hidden" name="Wait" value="1">
<button type="submit">Join</button>
<p id="oc-key-help" class="oc-help">The code the visitor reads out, or their visitor id. If the session has not started yet, the viewer waits for it.</p>
</form>
</section>
<section aria-labelledby="oc-sessions-title">
<h2 id="oc-sessions-title">Live sessions</h2>
<p id="oc-status" role="status" aria-live="polite">${count}</p>
<table id="oc-sessions" class="oc-table"${sessions.length === 0 ? ' hidden' : ''}>
<caption class="oc-sr">Live sessions of your group</caption>
<thead><tr><th scope="col">Key</th><th scope="col">Visitor page</th><th scope="col">Started</th><th scope="col">Agents</th><th scope="col">Visitor</th><th scope="col"><span class="oc-sr">Action</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>
</main>`,
  });
}

/** What the viewer page is configured with ([AV1], docs/viewer.md). */
export interface ViewerPageOptions {
  key: string;
  wait: boolean;
  ticket: string;
  agent: { username: string; name: string };
  /** CRM origins whose Agent API may drive this viewer (config `crmOrigins`). */
  crmOrigins: readonly string[];
  /** The page's own URL without a login key, for the viewer to put in the address (framed SSO). */
  cleanUrl?: string;
}

/** Path of the agent WebSocket endpoint. */
export const AGENT_WS_PATH = '/ws/agent';

/** The viewer page: a root element, a JSON data block and the viewer bundle. */
export function viewerPage(options: ViewerPageOptions): string {
  const config = {
    key: options.key,
    wait: options.wait,
    ticket: options.ticket,
    wsPath: AGENT_WS_PATH,
    agent: options.agent,
    crmOrigins: options.crmOrigins,
    ...(options.cleanUrl ? { cleanUrl: options.cleanUrl } : {}),
  };
  return renderPage({
    title: `Session ${options.key} — OpenCobrowse`,
    styles: ['/static/viewer.css'],
    head: `<script type="application/json" id="oc-viewer-config">${jsonForScriptBlock(config)}</script>`,
    scripts: ['/static/viewer.js'],
    body: '<div id="oc-viewer"></div>',
  });
}
