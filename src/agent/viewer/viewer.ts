/**
 * The agent's viewer: joins a session, shows the visitor's page live, and lets the agent
 * point, gesture, take remote control, navigate and talk to the session ([JN1]–[JN5],
 * [VW1]–[VW5], [AP1]–[AP9], [RC1]–[RC9], [NV1]–[NV2] in SPEC.md).
 *
 * It composes the parts and owns the state they share:
 *   connection (socket, reconnect) → frame reader (order, inflate, seq) → Mirror (DOM)
 *   Mirror events → layout (scale), pointer overlay, toolbar (page, viewport), agent input
 *   session messages → session model → toolbar, controls, alerts, and the CRM bridge
 *   agent input, toolbar buttons, Agent API calls → outbox → connection
 * The root element carries `data-session`, `data-link`, `data-page`, `data-control` and
 * `data-paused` so styles (and tests) can follow the state without parsing text.
 */
import { Mirror } from '../mirror/mirror.js';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/control.js';
import { isWebUrl, type BridgeCall, type BridgeError } from '../api/bridge-protocol.js';
import { Alerts, deniedText } from './alerts.js';
import { CrmBridge } from './bridge.js';
import { agentSocketUrl, type ViewerConfig } from './config.js';
import { ViewerConnection, type LinkState, type ReconnectTiming } from './connection.js';
import { ASK_TIMEOUT_MS, SessionControls, type ControlState } from './controls.js';
import { FrameReader, type FrameReadError } from './frame-reader.js';
import { screenRect } from './input-geometry.js';
import { MirrorInput, type InputMode } from './input.js';
import { MirrorLayout, formatGeometry, type LayoutInfo } from './layout.js';
import { Notice, type NoticeContent } from './notice.js';
import { OptionPicker } from './option-picker.js';
import { Outbox, type CommandDone } from './outbox.js';
import { PointerOverlay } from './pointer.js';
import { SessionModel, type SessionChange } from './session-model.js';
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
  private readonly controls: SessionControls;
  private readonly alerts: Alerts;
  private readonly notice: Notice;
  private readonly pointer: PointerOverlay;
  private readonly picker: OptionPicker;
  private readonly mirror: Mirror;
  private readonly reader: FrameReader;
  private readonly connection: ViewerConnection;
  private readonly model = new SessionModel();
  private readonly outbox: Outbox;
  private readonly input: MirrorInput;
  private readonly bridge: CrmBridge | null;

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
  /** The sequence number of the keyframe the mirror shows: the epoch of agent actions ([RC7]). */
  private epoch: number | null = null;
  /** This agent asked for control and the visitor has not answered. */
  private asking = false;
  private askTimer: ReturnType<typeof setTimeout> | null = null;
  /** This agent gave control back (so the end of control needs no explanation). */
  private releasing = false;
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
    this.controls = new SessionControls(this.toolbar.element, {
      requestControl: () => this.requestControl(true),
      releaseControl: () => this.requestControl(false),
      // Without control the visitor is asked first ([NV2]).
      navigate: (keyword) =>
        this.command({ type: 'navigate', url: keyword, ...(this.model.rc.enabled ? {} : { confirm: true }) }, 'navigate'),
      leave: () => void this.leave(null),
    });
    this.alerts = new Alerts(this.layout.stage);
    this.notice = new Notice(this.layout.stage, (action) => this.runAction(action));
    this.pointer = new PointerOverlay(this.layout.overlay);
    this.picker = new OptionPicker(root);

    this.outbox = new Outbox({ send: (message) => this.connection.send(message) });
    this.mirror = new Mirror(this.layout.surface, {
      viewport: (width, height) => this.layout.setViewport(width, height),
      pointer: (x, y) => this.pointer.move(x, y),
      location: (url, title) => this.toolbar.setPage(url, title),
      document: (mirrorDoc) => this.input.attach(mirrorDoc),
      // A node the mirror could not place: the rest of the page still shows, so note it only.
      error: (error) => console.warn('viewer: part of a page update could not be shown', error),
    });
    this.input = new MirrorInput({
      idOf: (node) => this.mirror.idOf(node),
      topDocument: () => this.mirror.document,
      viewport: () => this.mirror.viewport,
      epoch: () => this.epoch,
      send: (message, kind) => void this.outbox.send(message, kind),
      wheelStage: (event) => this.layout.wheelStage(event),
      pickOptions: (select, done) => {
        const frame = this.mirror.iframe;
        if (frame) this.picker.open(select, screenRect(select, this.mirror.document, frame), done);
      },
      notify: (text) => this.alerts.show(text),
    });

    this.reader = new FrameReader({
      sink: {
        keyframe: (tokens, seq) => {
          try {
            this.mirror.applyKeyframe(tokens);
          } catch (error) {
            this.dropUnfinishedFrames();
            throw error;
          }
          this.picker.close(); // its select belonged to the old page
          this.epoch = seq;
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

    const win = doc.defaultView;
    this.bridge =
      win && CrmBridge.isEmbedded(win)
        ? new CrmBridge(win, config.crmOrigins, {
            snapshot: () => this.model.snapshot(),
            greeting: () =>
              this.joined && this.phase !== 'over' ? [{ kind: 'event', name: 'statereceived', data: this.model.snapshot() }] : [],
            call: (call, done) => this.onCall(call, done),
          })
        : null;
    this.render();
  }

  /** Connects and joins the session; tells an embedding CRM page the viewer is there. */
  start(): void {
    this.bridge?.start();
    this.connection.start();
  }

  /** Leaves the session and stops (idempotent). */
  destroy(): void {
    void this.connection.close();
    this.layout.destroy();
    this.bridge?.destroy();
  }

  /**
   * Leaves the session (the Leave button, `leaveSession(url)`): the server hears `leave`,
   * then the frame goes to `url` when one is given (http or https only).
   */
  async leave(url: string | null, beforeNavigate?: () => void): Promise<void> {
    await this.connection.close();
    beforeNavigate?.();
    if (url && isWebUrl(url)) this.root.ownerDocument.location.assign(url);
  }

  // -------------------------------------------------------------------------------------------
  // Connection and session messages

  private onLink(state: LinkState): void {
    this.link = state;
    if (state.phase === 'closed') {
      this.phase = 'over';
      this.final = finalMessage(state, this.config.key, this.joined);
      if (state.byViewer) this.publish(this.model.left());
      else if (state.ended === null) this.publish(this.model.failed(state.code, [this.final.title, this.final.detail].filter(Boolean).join('. ')));
      this.outbox.close({ code: 'no-session', message: state.byViewer ? 'the agent left the session' : this.final.title });
    }
    this.render();
  }

  private onMessage(message: ServerToAgent): void {
    switch (message.type) {
      case 'waiting':
        this.phase = 'waiting';
        break;
      case 'joined':
        // Another session under the same key (the old one ended while we were away):
        // its sequence numbers mean nothing here, start from its keyframe.
        if (this.sessionId !== null && this.sessionId !== message.sessionId) {
          this.reader.reset();
          this.epoch = null;
        }
        this.sessionId = message.sessionId;
        this.joined = true;
        this.phase = 'live';
        this.serverError = null;
        this.toolbar.setAgents(message.agents.count);
        this.toolbar.setVisitor(message.visitor.name);
        this.publish(this.model.apply(message));
        break;
      case 'agents':
        this.toolbar.setAgents(message.count);
        this.publish(this.model.apply(message));
        break;
      case 'visitor':
        if (this.phase !== 'over') this.phase = message.connected ? 'live' : 'away';
        break;
      case 'ended':
        this.phase = 'over';
        this.final = finalMessage({ phase: 'closed', code: 1000, ended: message.reason, byViewer: false }, this.config.key, true);
        this.publish(this.model.apply(message));
        break;
      case 'error':
        console.warn(`viewer: server error ${message.code}: ${message.message}`);
        this.serverError = message.message;
        break;
      case 'ping':
        break; // answered by the connection
      case 'rc': {
        const wasOn = this.model.rc.enabled;
        this.publish(this.model.apply(message));
        this.stopAsking();
        if (wasOn && !message.enabled && !this.releasing) this.alerts.show('The visitor ended remote control.');
        if (!message.enabled) this.releasing = false;
        break;
      }
      case 'rc-declined':
        this.stopAsking();
        this.alerts.show('The visitor declined remote control.');
        this.publish(this.model.apply(message));
        break;
      case 'denied':
        if (message.action === 'rcrequested') this.stopAsking();
        this.alerts.show(deniedText(message.action, message.reason));
        this.publish(this.model.apply(message));
        break;
      case 'message':
      case 'userstate':
      case 'paused':
      case 'visibility':
      case 'page':
      case 'screenshare':
      case 'accessibility':
        this.publish(this.model.apply(message));
        break;
      default: {
        const never: never = message;
        console.warn('viewer: ignored an unknown control message', never);
      }
    }
    this.render();
  }

  private publish(changes: SessionChange[]): void {
    if (this.bridge) for (const change of changes) this.bridge.publish(change);
  }

  // -------------------------------------------------------------------------------------------
  // Commands: toolbar buttons and Agent API calls

  /** An Agent API call from the CRM page. */
  private onCall(call: BridgeCall, done: (error: BridgeError | null) => void): void {
    switch (call.method) {
      case 'sendSessionMessage':
        this.outbox.send({ type: 'message', name: call.name, data: call.data }, 'command', done);
        return;
      case 'enableAccessibility':
        this.outbox.send({ type: 'accessibility', enabled: call.enabled }, 'command', done);
        return;
      case 'navigate':
        this.outbox.send({ type: 'navigate', ...call.params }, 'command', done);
        return;
      case 'requestRC':
        this.requestControl(call.enable, done);
        return;
      case 'screenshare':
        this.outbox.send({ type: 'screenshare', action: call.action, params: call.params }, 'command', done);
        return;
      case 'leaveSession':
        void this.leave(call.url, () => done(null));
        return;
      default: {
        const never: never = call;
        done({ code: 'invalid', message: `unknown call ${String((never as { method?: unknown }).method)}` });
      }
    }
  }

  private requestControl(enable: boolean, done?: CommandDone): void {
    if (enable && !this.model.rc.enabled) {
      this.asking = true;
      if (this.askTimer) clearTimeout(this.askTimer);
      // No answer (the visitor's page has no prompt, or they walked away): let the agent ask again.
      this.askTimer = setTimeout(() => {
        this.stopAsking();
        this.render();
      }, ASK_TIMEOUT_MS);
    }
    if (!enable) this.releasing = true;
    this.command({ type: 'rc-request', enable }, enable ? 'request control' : 'release control', done);
    this.render();
  }

  /** Sends a command; a failure is shown to the agent (and reported to the caller). */
  private command(message: AgentToServer, what: string, done?: CommandDone): void {
    this.outbox.send(message, 'command', (error) => {
      if (error) {
        if (message.type === 'rc-request') this.stopAsking();
        this.alerts.show(`Could not ${what}: ${error.message}.`);
        this.render();
      }
      done?.(error);
    });
  }

  private stopAsking(): void {
    this.asking = false;
    if (this.askTimer) clearTimeout(this.askTimer);
    this.askTimer = null;
  }

  // -------------------------------------------------------------------------------------------

  private onFrameError(error: FrameReadError): void {
    console.warn('viewer: page frame failed; starting over from a keyframe', error);
    this.recovering = error.message;
    this.epoch = null;
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
    this.picker.close(); // it sits over where the select was
  }

  private runAction(action: Exclude<FinalAction, null>): void {
    // Reloading the viewer URL signs in again when needed ([AV2]) and gets a fresh ticket.
    if (action === 'sign-in' || action === 'reload') this.root.ownerDocument.location.reload();
  }

  private render(): void {
    const { paused, visible } = this.model;
    const open = this.link.phase === 'open';
    const session = sessionStatus(this.phase, this.config.key, this.hasPage, this.final, { paused: paused.paused, visible });
    const link = linkStatus(this.link);
    const live = this.phase === 'live' && open;
    this.toolbar.setStatus(session, link, this.link.phase === 'retrying');
    this.notice.show(this.noticeContent(session.text));
    this.pointer.setAllowed(live && !paused.paused);
    this.outbox.setReady(live);

    const control = this.controlState();
    const mode: InputMode =
      !live || !this.hasPage || paused.paused || this.epoch === null
        ? 'off'
        : control === 'on'
          ? 'control'
          : control === 'suspended'
            ? 'suspended'
            : 'view';
    this.input.setMode(mode);
    if (mode !== 'control') this.picker.close();
    this.controls.setControl(control);
    this.controls.setEnabled(live, this.phase !== 'over');

    this.root.dataset['session'] = this.phase;
    this.root.dataset['link'] = this.link.phase;
    this.root.dataset['page'] = String(this.hasPage);
    this.root.dataset['control'] = control;
    this.root.dataset['paused'] = String(paused.paused);
    this.layout.stage.classList.toggle('oc-stage--over', this.phase === 'over');
    this.layout.stage.classList.toggle('oc-stage--stale', this.phase === 'away' || !open);
    this.layout.stage.classList.toggle('oc-stage--paused', paused.paused && this.phase !== 'over');
    this.layout.stage.classList.toggle('oc-stage--control', mode === 'control');
    // The status first, so an agent with several tabs sees which one needs attention.
    this.root.ownerDocument.title = `${session.text} — ${this.baseTitle}`;
  }

  private controlState(): ControlState {
    const { rc } = this.model;
    if (rc.enabled) return rc.suspended ? 'suspended' : 'on';
    return this.asking && this.phase === 'live' ? 'asking' : 'off';
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
        if (this.model.paused.paused) {
          // The page stays hidden: the visitor paused because something on it is private.
          return {
            title: 'The visitor paused the session',
            detail: this.model.paused.message || 'Their page is hidden until they resume.',
            tone: 'wait',
            placement: 'card',
            action: null,
          };
        }
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
