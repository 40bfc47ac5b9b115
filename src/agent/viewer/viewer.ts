/**
 * The agent's viewer: joins a session and shows the visitor's page live ([JN1]–[JN5],
 * [VW1]–[VW5] in SPEC.md).
 *
 * It composes the parts and owns the state they share:
 *   connection (socket, reconnect) → frame reader (order, inflate, seq) → Mirror (DOM)
 *   Mirror events → layout (scale), pointer overlay, toolbar (page, viewport)
 *   connection and session state → toolbar status, stage notice, page title
 * The root element carries `data-session` and `data-link` so styles (and tests) can
 * follow the state without parsing text.
 */
import { Mirror } from '../mirror/mirror.js';
import type { ServerToAgent } from '../../shared/protocol/control.js';
import { agentSocketUrl, type ViewerConfig } from './config.js';
import { ViewerConnection, type LinkState, type ReconnectTiming } from './connection.js';
import { FrameReader, type FrameReadError } from './frame-reader.js';
import { MirrorLayout, formatGeometry, type LayoutInfo } from './layout.js';
import { Notice, type NoticeContent } from './notice.js';
import { PointerOverlay } from './pointer.js';
import { Toolbar } from './status.js';
import {
  finalMessage,
  linkStatus,
  sessionStatus,
  type FinalAction,
  type FinalMessage,
  type SessionPhase,
} from './status-text.js';

/** Options of a viewer beyond its configuration. */
export interface ViewerOptions {
  /** Overrides of the reconnect timings. */
  timing?: Partial<ReconnectTiming>;
}

/** One viewer in one root element. */
export class Viewer {
  private readonly root: HTMLElement;
  private readonly config: ViewerConfig;
  private readonly layout: MirrorLayout;
  private readonly toolbar: Toolbar;
  private readonly notice: Notice;
  private readonly pointer: PointerOverlay;
  private readonly mirror: Mirror;
  private readonly reader: FrameReader;
  private readonly connection: ViewerConnection;

  private phase: SessionPhase = 'starting';
  private link: LinkState = { phase: 'connecting', attempt: 0 };
  private hasPage = false;
  private joined = false;
  private sessionId: string | null = null;
  private final: FinalMessage | null = null;
  /** A frame failed and the viewer is starting over from a keyframe: why. */
  private recovering: string | null = null;
  /** The last `error` message from the server, shown with the status. */
  private serverError: string | null = null;
  private readonly baseTitle: string;

  constructor(root: HTMLElement, config: ViewerConfig, options: ViewerOptions = {}) {
    this.root = root;
    this.config = config;
    const doc = root.ownerDocument;
    this.baseTitle = doc.title || `Session ${config.key} — OpenCobrowse`;
    root.classList.add('oc-viewer');
    root.replaceChildren();

    this.layout = new MirrorLayout(root, (info) => this.onLayout(info));
    this.toolbar = new Toolbar(root, config.key, config.agent?.name ?? '', {
      setMode: (mode) => this.layout.setMode(mode),
      retry: () => this.connection.retryNow(),
    });
    this.notice = new Notice(this.layout.stage, (action) => this.runAction(action));
    this.pointer = new PointerOverlay(this.layout.overlay);

    this.mirror = new Mirror(this.layout.surface, {
      viewport: (width, height) => this.layout.setViewport(width, height),
      pointer: (x, y) => this.pointer.move(x, y),
      location: (url, title) => this.toolbar.setPage(url, title),
      document: (doc) => this.layout.forwardWheel(doc),
      // A node the mirror could not place: the rest of the page still shows, so note it only.
      error: (error) => console.warn('viewer: part of a page update could not be shown', error),
    });

    this.reader = new FrameReader({
      sink: {
        keyframe: (tokens) => {
          try {
            this.mirror.applyKeyframe(tokens);
          } catch (error) {
            this.dropUnfinishedFrames();
            throw error;
          }
          this.hasPage = true;
          this.recovering = null;
          this.render();
        },
        delta: (tokens) => this.mirror.applyDelta(tokens),
        volatile: (tokens) => this.mirror.applyDelta(tokens),
      },
      onError: (error) => this.onFrameError(error),
    });

    this.connection = new ViewerConnection({
      url: agentSocketUrl(doc.location, config.wsPath),
      ticket: config.ticket,
      key: config.key,
      wait: config.wait,
      afterSeq: () => this.reader.lastSeq ?? undefined,
      timing: options.timing,
      events: {
        state: (state) => this.onLink(state),
        message: (message) => this.onMessage(message),
        frame: (data) => this.reader.push(data),
      },
    });
    this.render();
  }

  /** Connects and joins the session. */
  start(): void {
    this.connection.start();
  }

  /** Leaves the session and stops (idempotent). */
  destroy(): void {
    this.connection.close();
    this.layout.destroy();
  }

  // -------------------------------------------------------------------------------------------

  private onLink(state: LinkState): void {
    this.link = state;
    if (state.phase === 'closed') {
      this.phase = 'over';
      this.final = finalMessage(state, this.config.key, this.joined);
    }
    this.render();
  }

  /** Session events for the Agent API bridge and the toolbar (set by the owner). */
  onSessionEvent?: (message: Extract<ServerToAgent, { type: 'message' | 'userstate' | 'rc' | 'rc-declined' | 'paused' | 'visibility' | 'page' | 'screenshare' | 'accessibility' | 'denied' }>) => void;

  private onMessage(message: ServerToAgent): void {
    switch (message.type) {
      case 'waiting':
        this.phase = 'waiting';
        break;
      case 'joined':
        // Another session under the same key (the old one ended while we were away):
        // its sequence numbers mean nothing here, start from its keyframe.
        if (this.sessionId !== null && this.sessionId !== message.sessionId) this.reader.reset();
        this.sessionId = message.sessionId;
        this.joined = true;
        this.phase = 'live';
        this.serverError = null;
        this.toolbar.setAgents(message.agents.count);
        this.toolbar.setVisitor(message.visitor.name);
        break;
      case 'agents':
        this.toolbar.setAgents(message.count);
        break;
      case 'visitor':
        if (this.phase !== 'over') this.phase = message.connected ? 'live' : 'away';
        break;
      case 'ended':
        this.phase = 'over';
        this.final = finalMessage({ phase: 'closed', code: 1000, ended: message.reason, byViewer: false }, this.config.key, true);
        break;
      case 'error':
        console.warn(`viewer: server error ${message.code}: ${message.message}`);
        this.serverError = message.message;
        break;
      case 'ping':
        break; // answered by the connection
      case 'message':
      case 'userstate':
      case 'rc':
      case 'rc-declined':
      case 'paused':
      case 'visibility':
      case 'page':
      case 'screenshare':
      case 'accessibility':
      case 'denied':
        this.onSessionEvent?.(message);
        break;
      default: {
        const never: never = message;
        console.warn('viewer: ignored an unknown control message', never);
      }
    }
    this.render();
  }

  private onFrameError(error: FrameReadError): void {
    console.warn('viewer: page frame failed; starting over from a keyframe', error);
    this.recovering = error.message;
    // Without afterSeq the server sends the keyframe and every logged delta ([JN3]).
    this.reader.reset();
    this.connection.restart();
    this.render();
  }

  /** A keyframe that failed half-way leaves its hidden iframe behind; only the live one stays. */
  private dropUnfinishedFrames(): void {
    const live = this.mirror.iframe;
    for (const frame of Array.from(this.layout.surface.querySelectorAll('iframe'))) {
      if (frame !== live && frame.parentElement === this.layout.surface) frame.remove();
    }
  }

  private onLayout(info: LayoutInfo): void {
    this.pointer.setScale(info.scale);
    this.toolbar.setGeometry(formatGeometry(info));
  }

  private runAction(action: Exclude<FinalAction, null>): void {
    // Reloading the viewer URL signs in again when needed ([AV2]) and gets a fresh ticket.
    if (action === 'sign-in' || action === 'reload') this.root.ownerDocument.location.reload();
  }

  private render(): void {
    const session = sessionStatus(this.phase, this.config.key, this.hasPage, this.final);
    const link = linkStatus(this.link);
    this.toolbar.setStatus(session, link, this.link.phase === 'retrying');
    this.notice.show(this.noticeContent(session.text));
    this.pointer.setAllowed(this.phase === 'live' && this.link.phase === 'open');
    this.root.dataset['session'] = this.phase;
    this.root.dataset['link'] = this.link.phase;
    this.root.dataset['page'] = String(this.hasPage);
    this.layout.stage.classList.toggle('oc-stage--over', this.phase === 'over');
    this.layout.stage.classList.toggle('oc-stage--stale', this.phase === 'away' || this.link.phase !== 'open');
    // The status first, so an agent with several tabs sees which one needs attention.
    this.root.ownerDocument.title = `${session.text} — ${this.baseTitle}`;
  }

  private noticeContent(sessionText: string): NoticeContent | null {
    const placement = this.hasPage ? 'banner' : 'card';
    if (this.phase === 'over' && this.final) {
      const detail = this.final.detail || (this.serverError ?? '');
      return { ...this.final, detail, placement };
    }
    if (this.recovering !== null) {
      return {
        title: 'Reloading the visitor’s page…',
        detail: `A page update could not be shown (${this.recovering}).`,
        tone: 'warn',
        placement,
        action: null,
      };
    }
    if (this.link.phase === 'retrying' || (this.link.phase === 'connecting' && this.link.attempt > 0)) {
      return {
        title: 'Connection lost — reconnecting…',
        detail: this.hasPage ? 'The page below may be out of date.' : '',
        tone: 'warn',
        placement,
        action: null,
      };
    }
    switch (this.phase) {
      case 'starting':
        return { title: sessionText, detail: '', tone: 'busy', placement, action: null };
      case 'waiting':
        return {
          title: sessionText,
          detail: 'The visitor’s page appears here as soon as their session starts.',
          tone: 'wait',
          placement,
          action: null,
        };
      case 'away':
        return {
          title: sessionText,
          detail: this.hasPage ? 'Below is the last view of their page.' : '',
          tone: 'warn',
          placement,
          action: null,
        };
      case 'live':
        return this.hasPage ? null : { title: 'Loading the visitor’s page…', detail: '', tone: 'busy', placement, action: null };
      case 'over':
        return null;
      default: {
        const never: never = this.phase;
        return never;
      }
    }
  }
}
