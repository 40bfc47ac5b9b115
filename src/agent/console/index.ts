/**
 * The agent console's script (`/static/console.js`): keeps the list of live sessions of
 * the agent's group fresh by polling `GET /api/sessions` every 2 s. The page works without
 * it (server-rendered list, plain join form); this only refreshes the list.
 *
 * Accessibility: the status line is an `aria-live` region that speaks only when the
 * number of sessions changes; rows are updated in place so keyboard focus on a Join link
 * is never lost by a refresh.
 */
import './console.css';

/** How often the list is refreshed, ms. */
const POLL_INTERVAL_MS = 2_000;

/** One live session, as `GET /api/sessions` sends it (server: `ConsoleSession`). */
interface ConsoleSession {
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

function isSessionList(value: unknown): value is { sessions: ConsoleSession[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { sessions?: unknown }).sessions)
  );
}

function countText(count: number): string {
  return count === 1 ? '1 live session' : `${count} live sessions`;
}

function timeText(startedAt: number): string {
  return new Date(startedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Builds or updates one table row; cells are text only (values come from visitors). */
function fillRow(row: HTMLTableRowElement, session: ConsoleSession): void {
  const doc = row.ownerDocument;
  while (row.cells.length < 6) row.insertCell();
  const [keyCell, pageCell, startedCell, agentsCell, visitorCell, actionCell] = Array.from(
    row.cells,
  );
  if (!keyCell || !pageCell || !startedCell || !agentsCell || !visitorCell || !actionCell) return;

  const keyText = session.visitorName ? `${session.key}\n${session.visitorName}` : session.key;
  if (keyCell.dataset['text'] !== keyText) {
    keyCell.dataset['text'] = keyText;
    keyCell.replaceChildren();
    const code = doc.createElement('code');
    code.textContent = session.key;
    keyCell.append(code);
    if (session.visitorName) keyCell.append(doc.createElement('br'), session.visitorName);
  }

  const page = session.pageTitle || session.pageUrl || '(unknown page)';
  const pageText = `${page}\n${session.pageUrl}`;
  if (pageCell.dataset['text'] !== pageText) {
    pageCell.dataset['text'] = pageText;
    pageCell.replaceChildren(page);
    if (session.pageUrl) {
      const url = doc.createElement('span');
      url.className = 'oc-url';
      url.textContent = session.pageUrl;
      pageCell.append(doc.createElement('br'), url);
    }
  }

  const started = new Date(session.startedAt).toISOString();
  let time = startedCell.querySelector('time');
  if (!time) {
    time = doc.createElement('time');
    startedCell.replaceChildren(time);
  }
  // The server renders UTC (it does not know the agent's zone); show local time instead.
  if (time.dateTime !== started || time.dataset['local'] !== '1') {
    time.dateTime = started;
    time.dataset['local'] = '1';
    time.textContent = timeText(session.startedAt);
  }

  const agents = String(session.agentCount);
  if (agentsCell.textContent !== agents) agentsCell.textContent = agents;
  const visitor = session.visitorConnected ? 'Connected' : 'Away';
  if (visitorCell.textContent !== visitor) {
    visitorCell.textContent = visitor;
    visitorCell.classList.toggle('oc-away', !session.visitorConnected);
  }

  let link = actionCell.querySelector('a');
  if (!link) {
    link = doc.createElement('a');
    const label = doc.createElement('span');
    label.className = 'oc-sr';
    link.append('Join', label);
    actionCell.replaceChildren(link);
  }
  if (link.getAttribute('href') !== session.joinUrl) link.setAttribute('href', session.joinUrl);
  const hidden = link.querySelector('.oc-sr');
  if (hidden && hidden.textContent !== ` session ${session.key}`)
    hidden.textContent = ` session ${session.key}`;
}

/** Keeps the console's session list up to date until stopped. */
export class SessionList {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private lastStatus: string;
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(
    private readonly table: HTMLTableElement,
    private readonly status: HTMLElement,
    private readonly fetchImpl: typeof fetch = fetch.bind(globalThis),
  ) {
    this.lastStatus = status.textContent ?? '';
    // Adopt the server-rendered rows so the first refresh updates rather than replaces them.
    for (const row of Array.from(table.tBodies[0]?.rows ?? [])) {
      const key = row.querySelector('code')?.textContent;
      if (key) this.rows.set(key, row);
    }
  }

  /** Refreshes now and then every `POLL_INTERVAL_MS` while the page is visible. */
  start(): void {
    const doc = this.table.ownerDocument;
    doc.addEventListener('visibilitychange', () => {
      if (doc.visibilityState === 'visible') this.schedule(0);
      else this.cancel();
    });
    this.schedule(0);
  }

  /** Stops refreshing. */
  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.cancel();
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  /** Fetches the list once and shows it (or what went wrong). */
  async refresh(): Promise<void> {
    try {
      const response = await this.fetchImpl('/api/sessions', {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { accept: 'application/json' },
      });
      if (response.status === 401) {
        this.signedOut();
        return;
      }
      const body: unknown = response.ok ? await response.json() : undefined;
      if (!isSessionList(body)) throw new Error(`unexpected answer ${response.status}`);
      this.render(body.sessions);
      this.setStatus(countText(body.sessions.length));
    } catch {
      this.setStatus('Cannot reach the server — retrying…');
    }
    if (this.table.ownerDocument.visibilityState !== 'hidden') this.schedule(POLL_INTERVAL_MS);
  }

  private render(sessions: ConsoleSession[]): void {
    const body = this.table.tBodies[0] ?? this.table.createTBody();
    const keys = new Set(sessions.map((s) => s.key));
    for (const [key, row] of this.rows) {
      if (!keys.has(key)) {
        row.remove();
        this.rows.delete(key);
      }
    }
    sessions.forEach((session, index) => {
      let row = this.rows.get(session.key);
      if (!row) {
        row = this.table.ownerDocument.createElement('tr');
        this.rows.set(session.key, row);
      }
      fillRow(row, session);
      // Move only rows out of place: moving a focused link would drop the focus.
      if (body.rows[index] !== row) body.insertBefore(row, body.rows[index] ?? null);
    });
    this.table.hidden = sessions.length === 0;
  }

  private setStatus(text: string): void {
    // Only changes are announced: a live region that re-speaks every 2 s is noise.
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.status.textContent = text;
  }

  private signedOut(): void {
    this.stop();
    const doc = this.status.ownerDocument;
    const link = doc.createElement('a');
    link.href = '/login?next=%2Fconsole';
    link.textContent = 'Sign in again';
    this.lastStatus = 'Your sign-in has expired.';
    this.status.replaceChildren('Your sign-in has expired. ', link);
  }
}

function boot(): void {
  const table = document.getElementById('oc-sessions');
  const status = document.getElementById('oc-status');
  if (!(table instanceof HTMLTableElement) || !status) return; // not the console page
  new SessionList(table, status).start();
}

boot();
