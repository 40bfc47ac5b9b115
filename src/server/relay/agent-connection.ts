/**
 * An agent's socket: the handshake with a viewer ticket, joining or waiting, and the page
 * frames it receives ([HS*], [FR2], [JN*]).
 */
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol/close-codes.js';
import {
  parseAgentMessage,
  type AgentHello,
  type AgentToServer,
  type ServerToAgent,
} from '../../shared/protocol/control.js';
import { BaseConnection } from './connection.js';
import type { AgentPeer, Session } from './session.js';
import type { AgentIdentity, ConnectionInfo, PeerSocket, RelayConfig } from './types.js';

/** The relay functions an agent connection calls. */
export interface AgentHost {
  helloAgent(connection: AgentConnection, hello: AgentHello): Promise<void>;
  agentLeft(connection: AgentConnection, reason: 'left' | 'disconnected'): void;
  /** A message or command for the session the agent joined. */
  agentMessage(connection: AgentConnection, session: Session, message: AgentSessionMessage): void;
}

/** The agent's messages that act on a joined session. */
export type AgentSessionMessage = Exclude<AgentToServer, { type: 'hello' | 'leave' | 'pong' }>;

export class AgentConnection extends BaseConnection implements AgentPeer {
  identity!: AgentIdentity;
  needsKeyframe = true;
  session: Session | null = null;
  /** The waiting-room entry while `wait` holds ([JN2]). */
  waitingFor: string | null = null;

  constructor(
    socket: PeerSocket,
    info: ConnectionInfo,
    config: RelayConfig,
    logger: Logger,
    private readonly host: AgentHost,
  ) {
    super(socket, info, config, logger);
  }

  sendControl(message: ServerToAgent): void {
    this.sendJson(message);
  }

  sendFrame(frame: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.socket.bufferedAmount > this.config.maxAgentBufferBytes) {
      this.logger.warn({ agent: this.identity?.username }, 'relay: agent too slow, closing');
      this.closeWith(CloseCode.TooSlow);
      return;
    }
    this.socket.send(frame);
  }

  close(code: number): void {
    this.closeWith(code as CloseCode);
  }

  protected onText(text: string): void {
    const parsed = parseAgentMessage(text);
    if (!parsed.ok) {
      this.refuse(parsed.error);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'hello':
        if (this.state !== 'handshake') {
          this.refuse('second hello');
          return;
        }
        this.handshakeReceived();
        this.host.helloAgent(this, message).catch((error: unknown) => {
          this.logger.error({ err: error }, 'relay: agent handshake failed');
          this.closeWith(CloseCode.InternalError);
        });
        return;
      case 'leave':
        this.host.agentLeft(this, 'left');
        this.closeWith(CloseCode.Normal);
        return;
      case 'pong':
        return;
      case 'message':
      case 'rc-request':
      case 'rc-event':
      case 'gesture':
      case 'pointer':
      case 'navigate':
      case 'screenshare':
      case 'accessibility':
        if (!this.session) {
          // Waiting, or the session just ended: recoverable, the viewer queues its calls.
          this.sendControl({ type: 'error', code: 'no-session', message: `${message.type} needs a joined session` });
          return;
        }
        this.host.agentMessage(this, this.session, message);
        return;
      default:
        message satisfies never;
    }
  }

  protected onBinary(): void {
    // [FR2] page data only ever comes from the visitor.
    this.logger.warn({ ip: this.info.ip }, 'relay: page frame from an agent socket');
    this.closeWith(CloseCode.Forbidden);
  }

  protected cleanup(): void {
    this.host.agentLeft(this, 'disconnected');
  }
}
