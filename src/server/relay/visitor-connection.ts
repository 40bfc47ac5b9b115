/**
 * A visitor's socket: the handshake, control messages and page frames ([HS*], [FR*], [SS*]).
 */
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol/close-codes.js';
import { FrameKind, readFrameHeader } from '../../shared/protocol/frame.js';
import {
  parseVisitorMessage,
  type ServerToVisitor,
  type VisitorHello,
  type VisitorToServer,
} from '../../shared/protocol/control.js';
import { BaseConnection } from './connection.js';
import { TokenBucket } from './rate-limiter.js';
import type { Session, VisitorPeer } from './session.js';
import type { ConnectionInfo, PeerSocket, RelayConfig } from './types.js';

/** The relay functions a visitor connection calls. */
export interface VisitorHost {
  helloVisitor(connection: VisitorConnection, hello: VisitorHello): Promise<void>;
  /** A session message, state change or consent answer from the visitor. */
  visitorMessage(connection: VisitorConnection, session: Session, message: VisitorSessionMessage): void;
}

/** The visitor's messages that act on a running session. */
export type VisitorSessionMessage = Exclude<VisitorToServer, { type: 'hello' | 'stop' | 'pong' }>;

export class VisitorConnection extends BaseConnection implements VisitorPeer {
  session: Session | null = null;
  private readonly frameBucket: TokenBucket;

  constructor(
    socket: PeerSocket,
    info: ConnectionInfo,
    config: RelayConfig,
    logger: Logger,
    private readonly host: VisitorHost,
  ) {
    super(socket, info, config, logger);
    this.frameBucket = new TokenBucket(config.maxFramesPerSecond);
  }

  sendControl(message: ServerToVisitor): void {
    this.sendJson(message);
  }

  close(code: number): void {
    this.closeWith(code as CloseCode);
  }

  protected onText(text: string): void {
    const parsed = parseVisitorMessage(text);
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
        this.host.helloVisitor(this, message).catch((error: unknown) => {
          this.logger.error({ err: error }, 'relay: visitor handshake failed');
          this.closeWith(CloseCode.InternalError);
        });
        return;
      case 'stop':
        if (!this.session) {
          this.refuse('stop before the session started');
          return;
        }
        this.session.end('visitor');
        return;
      case 'pong':
        return;
      case 'message':
      case 'userstate':
      case 'pause':
      case 'rc':
      case 'rc-declined':
      case 'visibility':
        if (!this.session || this.state !== 'open') {
          this.refuse(`${message.type} before the session started`);
          return;
        }
        this.host.visitorMessage(this, this.session, message);
        return;
      default:
        message satisfies never;
    }
  }

  protected onBinary(frame: Uint8Array): void {
    const session = this.session;
    if (this.state !== 'open' || !session) {
      this.refuse('page frame before the session started');
      return;
    }
    if (!this.frameBucket.take()) {
      this.closeWith(CloseCode.RateLimited);
      return;
    }
    const header = readFrameHeader(frame);
    if (typeof header === 'string') {
      this.refuse(`bad frame: ${header}`);
      return;
    }
    const cap =
      header.kind === FrameKind.Keyframe
        ? this.config.maxKeyframeBytes
        : header.kind === FrameKind.Delta
          ? this.config.maxDeltaBytes
          : this.config.maxVolatileBytes;
    if (frame.length > cap) {
      this.logger.warn({ ip: this.info.ip, bytes: frame.length, cap }, 'relay: frame too large');
      this.closeWith(CloseCode.TooLarge);
      return;
    }
    session.acceptFrame(frame, header);
  }

  protected cleanup(): void {
    this.session?.detachVisitor(this);
  }
}
