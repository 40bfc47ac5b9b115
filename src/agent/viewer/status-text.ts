/**
 * The words the viewer uses for the link and the session ([VW5] in SPEC.md). Pure, so
 * every state has exactly one message and the toolbar, the notice and the page title agree.
 */
import { CloseCode } from '../../shared/protocol/close-codes.js';
import { CLOSE_REASONS } from '../../shared/protocol/close-reasons.js';
import type { EndReason } from '../../shared/protocol/control.js';
import type { LinkState } from './connection.js';

/** How a status looks: the colour of its dot. */
export type Tone = 'ok' | 'busy' | 'wait' | 'warn' | 'error' | 'idle';

/** One status to show. */
export interface StatusLine {
  text: string;
  tone: Tone;
}

/** Where the session stands, as the viewer knows it. */
export type SessionPhase =
  /** The socket is opening or the server has not answered the hello yet. */
  | 'starting'
  /** `Wait=1` and the session has not started ([JN2]). */
  | 'waiting'
  /** Joined, the visitor is connected. */
  | 'live'
  /** Joined, the visitor's socket is gone and the server waits for them ([SS7]). */
  | 'away'
  /** Final: the session ended or the viewer cannot continue. */
  | 'over';

/** What the agent can do about a final state. */
export type FinalAction = 'sign-in' | 'reload' | null;

/** The message shown once the viewer stops for good. */
export interface FinalMessage {
  title: string;
  detail: string;
  tone: Tone;
  action: FinalAction;
}

/** The link status, for the toolbar. */
export function linkStatus(link: LinkState): StatusLine {
  switch (link.phase) {
    case 'connecting':
      return link.attempt === 0 ? { text: 'Connecting…', tone: 'busy' } : { text: 'Reconnecting…', tone: 'busy' };
    case 'open':
      return { text: 'Connected', tone: 'ok' };
    case 'retrying':
      return { text: 'Connection lost — retrying', tone: 'warn' };
    case 'closed':
      // Calm after a normal end; the session status says whether something went wrong.
      return { text: 'Disconnected', tone: link.ended !== null || link.byViewer ? 'idle' : 'error' };
    default: {
      const never: never = link;
      return never;
    }
  }
}

/** What the visitor's side says about their page while the session is live ([AP3], [AP4]). */
export interface VisitorPageState {
  /** The visitor paused sharing. */
  paused: boolean;
  /** The visitor's page is visible (not a background tab, not minimised). */
  visible: boolean;
}

/** The session status, for the toolbar and the page title. */
export function sessionStatus(
  phase: SessionPhase,
  key: string,
  hasPage: boolean,
  final: FinalMessage | null,
  visitor: VisitorPageState = { paused: false, visible: true },
): StatusLine {
  switch (phase) {
    case 'starting':
      return { text: `Joining session ${key}…`, tone: 'busy' };
    case 'waiting':
      return { text: `Waiting for session ${key}…`, tone: 'wait' };
    case 'live':
      if (visitor.paused) return { text: 'Paused by the visitor', tone: 'wait' };
      if (!hasPage) return { text: 'Live — loading the visitor’s page…', tone: 'busy' };
      return visitor.visible ? { text: 'Live', tone: 'ok' } : { text: 'Live — the visitor’s page is in the background', tone: 'warn' };
    case 'away':
      return { text: 'Visitor away — waiting for them to come back', tone: 'warn' };
    case 'over':
      return { text: final?.title ?? 'Session over', tone: final?.tone ?? 'error' };
    default: {
      const never: never = phase;
      return never;
    }
  }
}

/** What the agent reads when the server says the session ended ([SS6], [SS7]). */
export function endedText(reason: EndReason): string {
  switch (reason) {
    case 'visitor':
      return 'The visitor ended the session';
    case 'agent':
      return 'An agent ended the session';
    case 'timeout':
      return 'Session timed out';
    case 'error':
      return 'The session ended because of an error';
    case 'server':
      return 'The server ended the session';
    default: {
      // A reason added to the protocol later: still say something true.
      const unknown: string = reason;
      return `The session ended (${unknown})`;
    }
  }
}

/**
 * The final message for a closed link. `joined` says whether this viewer was in the
 * session before: then a vanished session has ended rather than never existed.
 */
export function finalMessage(link: Extract<LinkState, { phase: 'closed' }>, key: string, joined: boolean): FinalMessage {
  if (link.ended !== null) {
    const detail =
      link.ended === 'timeout' ? 'The visitor did not come back in time.' : 'The last view of their page stays below.';
    return { title: endedText(link.ended), detail, tone: 'idle', action: null };
  }
  if (link.byViewer) return { title: 'You left the session', detail: '', tone: 'error', action: 'reload' };
  switch (link.code) {
    case CloseCode.Unauthorized:
    case CloseCode.Forbidden:
      return {
        title: 'Not authorised — sign in again',
        detail: 'Your sign-in expired or does not give access to this session.',
        tone: 'error',
        action: 'sign-in',
      };
    case CloseCode.NoSession:
      return joined
        ? { title: 'The session has ended', detail: '', tone: 'error', action: null }
        : {
            title: 'No such session',
            detail: `No session with key ${key} is running in your group.`,
            tone: 'error',
            action: 'reload',
          };
    case CloseCode.SessionEnded:
    case CloseCode.Normal:
      return { title: 'The session has ended', detail: '', tone: 'error', action: null };
    case CloseCode.VersionMismatch:
      return {
        title: 'This viewer is out of date',
        detail: 'The server was updated. Reload the page to get the current viewer.',
        tone: 'error',
        action: 'reload',
      };
    case 1006:
      return { title: 'Cannot connect to the server', detail: '', tone: 'error', action: 'reload' };
    default: {
      const reason = (CLOSE_REASONS as Readonly<Record<number, string>>)[link.code] ?? `closed with code ${link.code}`;
      return { title: `Disconnected: ${reason}`, detail: '', tone: 'error', action: 'reload' };
    }
  }
}
