/**
 * What the agent-action code (gestures, pointer, remote control, navigation) needs from the
 * session around it. The session implements it; nothing here knows about sockets.
 */
import type { VisitorSettings } from '../../shared/protocol/control.js';
import type { Recorder } from '../capture/recorder.js';
import type { SessionControl } from '../engine/connection.js';
import type { Log } from '../engine/log.js';
import type { SessionStateStore } from '../engine/session-state.js';
import type { Layer } from '../ui/layer.js';

/** The session as agent actions see it. */
export interface RemoteHost {
  readonly win: Window;
  readonly log: Log;
  /** The page's copy of the session state (rc, accessibility, agents). */
  readonly state: SessionStateStore;
  /** Where pointer, highlights and announcements are drawn. */
  readonly layer: Layer;
  /** Sends a control message to the server (queued while the connection is down). */
  send(message: SessionControl): void;
  /** Fires a Visitor API event. */
  emit(name: string, payload: object): void;
  /** The running recorder, or null while sharing is paused or before capture started. */
  recorder(): Recorder | null;
  /**
   * The keyframe epoch the recorder's node ids belong to (the sequence number of the last
   * keyframe sent), or null while a new keyframe is on its way ([RC7]).
   */
  epoch(): number | null;
  /** The group's visitor settings from the last welcome. */
  settings(): VisitorSettings;
}
