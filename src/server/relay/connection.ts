/**
 * What visitor and agent connections share: the handshake deadline ([HS2]), rate caps,
 * closing with a fixed reason ([CM3]) and the once-only cleanup.
 */
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol/close-codes.js';
import { CLOSE_REASONS } from '../../shared/protocol/close-reasons.js';
import type { Connection, ConnectionInfo, PeerSocket, RelayConfig } from './types.js';
import { TokenBucket } from './rate-limiter.js';

/** Where a connection is in its life. */
export type ConnectionState = 'handshake' | 'authenticating' | 'open' | 'closed';

export abstract class BaseConnection implements Connection {
  state: ConnectionState = 'handshake';
  protected readonly controlBucket: TokenBucket;
  private readonly handshakeTimer: ReturnType<typeof setTimeout>;

  constructor(
    protected readonly socket: PeerSocket,
    readonly info: ConnectionInfo,
    protected readonly config: RelayConfig,
    protected readonly logger: Logger,
  ) {
    this.controlBucket = new TokenBucket(config.maxControlPerSecond);
    this.handshakeTimer = setTimeout(() => {
      if (this.state === 'handshake') this.closeWith(CloseCode.HandshakeTimeout);
    }, config.handshakeTimeoutMs);
    this.handshakeTimer.unref();
  }

  /** Whether the socket is gone (checked after every await: it may close meanwhile). */
  get isClosed(): boolean {
    return this.state === 'closed';
  }

  receive(data: Uint8Array | string, isBinary: boolean): void {
    if (this.state === 'closed') return;
    try {
      if (isBinary) {
        this.onBinary(data as Uint8Array);
      } else {
        if (!this.controlBucket.take()) {
          this.closeWith(CloseCode.RateLimited);
          return;
        }
        this.onText(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
      }
    } catch (error) {
      // A bug of ours must cost this socket only, never the process or another session.
      this.logger.error({ err: error, ip: this.info.ip }, 'relay: error handling a message');
      this.closeWith(CloseCode.InternalError);
    }
  }

  closed(_code: number): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    this.cleanup();
  }

  /** Closes the socket with a fixed reason ([CM3]) and cleans up. Idempotent. */
  closeWith(code: CloseCode): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    try {
      this.socket.close(code, CLOSE_REASONS[code]);
    } catch {
      // already gone
    }
    this.cleanup();
  }

  /** Marks the handshake as received (the async part may still refuse). */
  protected handshakeReceived(): void {
    this.state = 'authenticating';
    clearTimeout(this.handshakeTimer);
  }

  /** Refuses a protocol violation: logs why and closes with 4400 ([CM1]). */
  protected refuse(reason: string): void {
    this.logger.warn({ ip: this.info.ip, reason }, 'relay: bad message');
    this.closeWith(CloseCode.BadMessage);
  }

  protected sendJson(message: unknown): void {
    if (this.state === 'closed') return;
    this.socket.send(JSON.stringify(message));
  }

  protected abstract onText(text: string): void;
  protected abstract onBinary(data: Uint8Array): void;
  /** Runs once when the connection ends, however it ends. */
  protected abstract cleanup(): void;
}
