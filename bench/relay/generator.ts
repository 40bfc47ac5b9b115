/**
 * The load generator: N simulated sessions, each a visitor socket that sends page frames
 * and an agent socket that receives them, against our server or the bare `ws` relay. It
 * runs in its own process (generator-process.ts), lean on purpose since it shares the
 * machine's two cores with the relay under test: no permessage-deflate, one reused buffer
 * per frame (ws copies it while masking), writes corked per batch, and latency read from a
 * timestamp inside each frame (frames.ts) rather than kept per frame.
 */
import type { Socket } from 'node:net';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import WebSocket from 'ws';
import { FrameKind } from '../../src/shared/protocol/frame.js';
import { PROTOCOL_VERSION } from '../../src/shared/protocol/version.js';
import { framePools, loadRecordings, readStamp, stampFrame, syntheticFrame } from './frames.js';
import type { GeneratorConfig, GeneratorErrors, GeneratorReady, GeneratorSnapshot } from './generator-protocol.js';
import { Histogram } from './histogram.js';
import { planReplay, type ReplayPlan, type ReplayScene } from './replay-plan.js';

/** Error descriptions kept for the report. */
const MAX_ERROR_SAMPLES = 10;
/** Default of `GeneratorConfig.maxInflightBytes`. */
const DEFAULT_MAX_INFLIGHT_BYTES = 256 * 1024 * 1024;
/** How long `stop()` waits for the sockets to close before terminating them, ms. */
const STOP_TIMEOUT_MS = 10_000;
/**
 * Replay: the longest the schedule loop runs before it yields to I/O (received frames,
 * the benchmark's IPC requests), ms. With thousands of sessions the loop would otherwise
 * never end once the generator falls behind: new events fall due faster than it sends.
 */
const TICK_BUDGET_MS = 5;
/**
 * Replay: a frame due longer ago than this is sent now and its session's timeline moves
 * on by the delay (it plays on from there, as a slower visitor would): a generator short
 * of CPU offers less traffic, bursts no larger than planned, and says how much less
 * (`GeneratorSnapshot.behindMs`) instead of an ever-growing backlog.
 */
const MAX_SEND_LAG_MS = 250;
/** Resolution of the generator's event-loop delay monitor, ms. */
const LOOP_DELAY_RESOLUTION_MS = 10;
/** The `Origin` of visitor sockets: a customer site, as in production. */
const VISITOR_ORIGIN = 'https://shop.example';

const SOCKET_OPTIONS = {
  perMessageDeflate: false,
  maxPayload: 64 * 1024 * 1024,
  skipUTF8Validation: true,
} as const;

/** A small seeded PRNG (mulberry32): the same scene order and offsets every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The TCP socket under a ws client, to cork a batch of sends into one write. */
function rawSocket(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/** `{"type":"ack"…`: the server's most frequent message to a visitor, skipped unparsed. */
function isAck(data: Buffer): boolean {
  return data.length > 12 && data[9] === 0x61 && data[10] === 0x63 && data[11] === 0x6b && data[12] === 0x22;
}

class Counters {
  framesSent = 0;
  bytesSent = 0;
  framesReceived = 0;
  bytesReceived = 0;
  needKeyframe = 0;
  readonly latency = new Histogram();
  readonly sendLag = new Histogram();

  merge(other: Counters): void {
    this.framesSent += other.framesSent;
    this.bytesSent += other.bytesSent;
    this.framesReceived += other.framesReceived;
    this.bytesReceived += other.bytesReceived;
    this.needKeyframe += other.needKeyframe;
    this.latency.add(other.latency.toData());
    this.sendLag.add(other.sendLag.toData());
  }
}

/** One simulated co-browse session. */
class SimSession {
  visitor: WebSocket | null = null;
  agent: WebSocket | null = null;
  /** Sequence number of the next keyframe or delta ([FR5]). */
  seq = 1;
  /** The next numbered frame must be a keyframe (start, or the server asked). */
  wantKeyframe = true;
  /** Bytes sent and not yet received by the agent (saturate). */
  inflight = 0;
  pumpQueued = false;
  alive = false;
  stopping = false;
  // Replay state.
  /** Time its timeline was moved on because the generator was late (MAX_SEND_LAG_MS), ms. */
  slipMs = 0;
  scene: ReplayScene | null = null;
  sceneStart = 0;
  eventIndex = 0;
  nextAt = 0;

  constructor(
    readonly index: number,
    readonly key: string,
  ) {}
}

/** A binary min-heap of sessions by `nextAt` (the replay schedule). */
class Schedule {
  private readonly items: SimSession[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): SimSession | undefined {
    return this.items[0];
  }

  push(session: SimSession): void {
    const items = this.items;
    let i = items.push(session) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.nextAt <= session.nextAt) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = session;
  }

  pop(): SimSession | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right]!.nextAt < items[left]!.nextAt ? right : left;
        if (items[child]!.nextAt >= last.nextAt) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

/**
 * Opens a socket, sends `hello` once open (if any) and waits for a text message of type
 * `until` (or the exact text `until`; null: just the opening). Listeners are in place before the socket opens: a
 * message in the same TCP segment as the upgrade response is emitted before an `await`
 * after `open` could resume.
 */
function connectSocket(
  url: string,
  origin: string,
  hello: string | null,
  until: string | null,
  timeoutMs: number,
): Promise<{ ws: WebSocket; message: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...SOCKET_OPTIONS, origin, handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => done(new Error(`${url}: no ${until} within ${timeoutMs} ms`)), timeoutMs);
    const done = (error: Error | null, message?: Record<string, unknown>) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      if (error) {
        ws.on('error', () => {});
        ws.terminate();
        reject(error);
      } else {
        resolve({ ws, message: message! });
      }
    };
    ws.on('open', () => {
      if (hello !== null) ws.send(hello);
      if (until === null) done(null, {});
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString('utf8');
      if (text === until) return done(null, {});
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      if (message['type'] === until) done(null, message);
      else if (message['type'] === 'error') done(new Error(`${url}: server error ${String(message['code'])}: ${String(message['message'])}`));
    });
    ws.on('close', (code: number) => done(new Error(`${url}: closed with ${code} before ${until}`)));
    ws.on('error', (error: Error) => done(new Error(`${url}: ${error.message}`)));
    ws.on('unexpected-response', (_request, response) => done(new Error(`${url}: HTTP ${response.statusCode}`)));
  });
}

export class LoadGenerator {
  private readonly sessions: SimSession[] = [];
  private window = new Counters();
  private readonly total = new Counters();
  private windowStart = performance.now();
  private begunAt = performance.now();
  private windowCpu = 0;
  private readonly errors: GeneratorErrors = { connectFailed: 0, unexpectedCloses: {}, socketErrors: 0, serverErrors: 0, overloaded: false, samples: [] };
  /** Bytes sent and not yet received, all sessions (the overload guard). */
  private inflightBytes = 0;
  /** Frames sent and not yet received, all sessions (draining). */
  private inflightFrames = 0;
  /** Replay: how far behind schedule the sessions were at the start of the window, ms summed. */
  private windowBehindMs = 0;
  /** When the traffic was paused (the schedule stops counting as behind then). */
  private pausedAt: number | null = null;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({
    resolution: LOOP_DELAY_RESOLUTION_MS,
  });
  private readonly maxInflightBytes: number;
  private readonly random: () => number;
  private running = false;
  private stopped = false;
  private aliveCount = 0;
  // Saturate.
  private readonly saturateFrame: Buffer | null = null;
  private pending: SimSession[] = [];
  private flushScheduled = false;
  // Replay.
  private readonly plan: ReplayPlan | null = null;
  private readonly schedule = new Schedule();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  // Idle.
  private readonly idleKeyframes: Buffer[] = [];

  constructor(private readonly config: GeneratorConfig) {
    this.random = prng(config.seed);
    this.maxInflightBytes = config.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES;
    const traffic = config.traffic;
    if (traffic.mode === 'saturate') {
      this.saturateFrame = syntheticFrame(FrameKind.Delta, traffic.frameBytes);
    } else {
      const recordings = loadRecordings(config.framesDir);
      if (traffic.mode === 'replay') this.plan = planReplay(recordings, traffic.bitsPerSecond);
      else this.idleKeyframes = framePools(recordings).keyframes;
    }
    this.windowCpu = this.cpuMs();
    this.loopDelay.enable();
  }

  /** Sets up every session (both sockets, handshakes done); failures are counted, not thrown. */
  async connect(): Promise<GeneratorReady> {
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < this.config.sessions && !this.stopped) {
        const index = next++;
        const session = new SimSession(index, `${this.config.keyPrefix}-${index}`);
        try {
          await this.connectSession(session);
          this.sessions.push(session);
        } catch (error) {
          this.errors.connectFailed++;
          this.sample(`session ${index}: ${error instanceof Error ? error.message : String(error)}`);
          session.stopping = true;
          session.visitor?.terminate();
          session.agent?.terminate();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.config.connectConcurrency) }, worker));
    const ready: GeneratorReady = { sessions: this.sessions.length, connectMs: performance.now() - started, errors: this.cloneErrors() };
    if (this.plan) {
      ready.plan = {
        bitsPerSecond: this.plan.bitsPerSecond,
        framesPerSecond: this.plan.framesPerSecond.total,
        timeScale: this.plan.timeScale,
        meanBytes: this.plan.meanBytes,
        scenes: this.plan.scenes.map((scene) => scene.name),
      };
    }
    return ready;
  }

  private async connectSession(session: SimSession): Promise<void> {
    const { target, connectTimeoutMs: timeout } = this.config;
    if (target.kind === 'opencobrowse') {
      const visitor = await connectSocket(
        `${target.wsUrl}/ws/visitor`,
        VISITOR_ORIGIN,
        JSON.stringify({
          type: 'hello',
          v: PROTOCOL_VERSION,
          role: 'visitor',
          groupId: target.groupId,
          site: 'staging',
          key: session.key,
          page: { url: `https://shop.example/bench/${session.index}`, title: 'Relay benchmark' },
        }),
        'welcome',
        timeout,
      );
      session.visitor = visitor.ws;
      session.seq = Number(visitor.message['nextSeq']);
      const agent = await connectSocket(
        `${target.wsUrl}/ws/agent`,
        target.agentOrigin,
        JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', ticket: target.ticket, key: session.key, wait: true }),
        'joined',
        timeout,
      );
      session.agent = agent.ws;
    } else {
      // The agent end first; the bare relay says `paired` to the visitor once both are
      // there, so no frame is sent into the void.
      session.agent = (await connectSocket(`${target.wsUrl}/agent/${session.key}`, VISITOR_ORIGIN, null, null, timeout)).ws;
      session.visitor = (await connectSocket(`${target.wsUrl}/visitor/${session.key}`, VISITOR_ORIGIN, null, 'paired', timeout)).ws;
    }
    this.attach(session);
  }

  /** Steady-state handlers of a connected session. */
  private attach(session: SimSession): void {
    const visitor = session.visitor!;
    const agent = session.agent!;
    session.alive = true;
    this.aliveCount++;
    const lost = (role: string, code: number) => {
      if (session.alive) {
        session.alive = false;
        this.aliveCount--;
      }
      if (session.stopping || this.stopped) return;
      const key = `${role} ${code}`;
      this.errors.unexpectedCloses[key] = (this.errors.unexpectedCloses[key] ?? 0) + 1;
      this.sample(`session ${session.index}: ${role} socket closed with ${code}`);
    };
    visitor.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || isAck(data)) return;
      this.onControl(session, 'visitor', data);
    });
    agent.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.onControl(session, 'agent', data);
        return;
      }
      const now = performance.now();
      const counters = this.window;
      counters.framesReceived++;
      counters.bytesReceived += data.length;
      this.inflightBytes -= data.length;
      this.inflightFrames--;
      counters.latency.record(now - readStamp(data));
      if (this.saturateFrame) {
        session.inflight -= data.length;
        this.queuePump(session);
      }
    });
    visitor.on('close', (code: number) => lost('visitor', code));
    agent.on('close', (code: number) => lost('agent', code));
    const onError = (error: Error) => {
      if (session.stopping || this.stopped) return;
      this.errors.socketErrors++;
      this.sample(`session ${session.index}: socket error ${error.message}`);
    };
    visitor.on('error', onError);
    agent.on('error', onError);
  }

  private onControl(session: SimSession, role: 'visitor' | 'agent', data: Buffer): void {
    let message: { type?: string; code?: string; message?: string; reason?: string };
    try {
      message = JSON.parse(data.toString('utf8')) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'need-keyframe') {
      this.window.needKeyframe++;
      session.wantKeyframe = true;
      if (this.plan && this.running && session.scene) this.sendFrame(session, session.scene.events[0]!.frame, FrameKind.Keyframe, performance.now());
    } else if (message.type === 'error') {
      this.errors.serverErrors++;
      this.sample(`session ${session.index}: ${role} got error ${message.code}: ${message.message}`);
    } else if (message.type === 'ended' && !session.stopping && !this.stopped) {
      this.sample(`session ${session.index}: ended (${message.reason})`);
    }
  }

  /** Starts the traffic. */
  begin(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.pausedAt = null;
    const now = performance.now();
    this.begunAt = now;
    this.resetWindow(now);
    const traffic = this.config.traffic;
    if (traffic.mode === 'saturate') {
      for (const session of this.sessions) this.queuePump(session);
    } else if (traffic.mode === 'idle') {
      this.sessions.forEach((session, i) => {
        this.sendFrame(session, this.idleKeyframes[i % this.idleKeyframes.length]!, FrameKind.Keyframe, now);
      });
    } else {
      const plan = this.plan!;
      const meanScene = plan.scenes.reduce((sum, scene) => sum + scene.durationMs, 0) / plan.scenes.length;
      for (const session of this.sessions) {
        // Sessions start at random scenes and times, as visitors would, not in lockstep.
        session.scene = plan.scenes[Math.floor(this.random() * plan.scenes.length)]!;
        session.sceneStart = now + this.random() * meanScene;
        session.eventIndex = 0;
        session.nextAt = session.sceneStart;
        this.schedule.push(session);
      }
      this.tick();
    }
  }

  /** Mean bytes of the keyframe each idle session sent. */
  idleKeyframeBytes(): number {
    const n = this.sessions.length;
    if (n === 0 || this.idleKeyframes.length === 0) return 0;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.idleKeyframes[i % this.idleKeyframes.length]!.length;
    return sum / n;
  }

  private sendFrame(session: SimSession, frame: Buffer, kind: FrameKind, now: number): void {
    const visitor = session.visitor;
    if (!session.alive || !visitor) return;
    let seq = 0;
    if (kind !== FrameKind.Volatile) {
      if (session.wantKeyframe) kind = FrameKind.Keyframe;
      session.wantKeyframe = false;
      seq = session.seq++;
    }
    stampFrame(frame, kind, seq, now);
    visitor.send(frame);
    this.window.framesSent++;
    this.window.bytesSent += frame.length;
    this.inflightBytes += frame.length;
    this.inflightFrames++;
    if (this.inflightBytes > this.maxInflightBytes && this.running) this.overload();
  }

  /** The relay is not keeping up: stop sending instead of queueing without bound. */
  private overload(): void {
    this.errors.overloaded = true;
    this.sample(`overloaded: ${(this.inflightBytes / 1024 / 1024).toFixed(0)} MiB sent and not received; traffic stopped`);
    this.pause();
  }

  // ---------------------------------------------------------------------------------------
  // Saturate: keep `windowBytes` in flight per session.

  private queuePump(session: SimSession): void {
    if (session.pumpQueued || !this.running) return;
    session.pumpQueued = true;
    this.pending.push(session);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushPumps);
    }
  }

  private readonly flushPumps = () => {
    this.flushScheduled = false;
    const list = this.pending;
    this.pending = [];
    for (const session of list) {
      session.pumpQueued = false;
      this.pump(session);
    }
  };

  private pump(session: SimSession): void {
    if (!session.alive || !this.running || this.config.traffic.mode !== 'saturate') return;
    const windowBytes = this.config.traffic.windowBytes;
    const frame = this.saturateFrame!;
    const socket = rawSocket(session.visitor!);
    const now = performance.now();
    socket?.cork();
    while (session.inflight < windowBytes) {
      this.sendFrame(session, frame, FrameKind.Delta, now);
      session.inflight += frame.length;
    }
    socket?.uncork();
  }

  // ---------------------------------------------------------------------------------------
  // Replay: every session plays its scenes on a shared schedule.

  private readonly tick = () => {
    this.timer = null;
    this.immediate = null;
    if (!this.running) return;
    const plan = this.plan!;
    const started = performance.now();
    let now = started;
    const lag = this.window.sendLag;
    let processed = 0;
    for (
      let due = this.schedule.peek();
      due && due.nextAt <= now && this.running;
      due = this.schedule.peek()
    ) {
      const session = this.schedule.pop()!;
      if (!session.alive) continue;
      let scene = session.scene!;
      const event = scene.events[session.eventIndex]!;
      const late = now - session.nextAt;
      lag.record(late);
      if (late > MAX_SEND_LAG_MS) {
        // Too late: this session's timeline resumes from now (counted as behind).
        session.slipMs += late;
        session.sceneStart += late;
      }
      this.sendFrame(session, event.frame, event.kind, now);
      session.eventIndex++;
      if (session.eventIndex >= scene.events.length) {
        session.sceneStart += scene.durationMs;
        scene = session.scene = plan.scenes[Math.floor(this.random() * plan.scenes.length)]!;
        session.eventIndex = 0;
      }
      session.nextAt = session.sceneStart + scene.events[session.eventIndex]!.atMs;
      this.schedule.push(session);
      // Refresh the clock now and then: a long batch must not stamp stale times; and
      // yield to I/O once the budget is spent, so that receiving and IPC go on.
      if (++processed % 32 === 0) {
        now = performance.now();
        if (now - started >= TICK_BUDGET_MS) break;
      }
    }
    if (!this.running) return;
    const next = this.schedule.peek();
    if (!next) return;
    const wait = next.nextAt - performance.now();
    if (wait <= 0) this.immediate = setImmediate(this.tick);
    else this.timer = setTimeout(this.tick, wait);
  };

  /**
   * How far behind its schedule every session is now, ms summed over sessions: the time
   * its timeline was moved on, plus how late its next frame already is.
   */
  private behindMs(now: number): number {
    if (!this.plan) return 0;
    if (!this.running && this.pausedAt !== null) now = Math.min(now, this.pausedAt);
    let sum = 0;
    for (const session of this.sessions) {
      if (!session.scene) continue;
      sum += session.slipMs;
      if (session.alive && session.nextAt < now) sum += now - session.nextAt;
    }
    return sum;
  }

  /** Stops sending; sockets stay open so frames in flight still arrive (then compare counts). */
  pause(): void {
    if (this.running) this.pausedAt = performance.now();
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  // ---------------------------------------------------------------------------------------
  // Reporting and stopping

  private cpuMs(): number {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }

  private resetWindow(now: number): void {
    this.total.merge(this.window);
    this.window = new Counters();
    this.windowStart = now;
    this.windowCpu = this.cpuMs();
    this.windowBehindMs = this.behindMs(now);
    this.loopDelay.reset();
  }

  private describe(
    counters: Counters,
    elapsedMs: number,
    cpuMs: number,
    behindMs: number,
  ): GeneratorSnapshot {
    const ns = 1e-6;
    const loop = this.loopDelay;
    const measured = loop.count > 0;
    return {
      elapsedMs,
      sessionsOpen: this.aliveCount,
      framesSent: counters.framesSent,
      bytesSent: counters.bytesSent,
      framesReceived: counters.framesReceived,
      bytesReceived: counters.bytesReceived,
      latency: counters.latency.toData(),
      sendLag: counters.sendLag.toData(),
      needKeyframe: counters.needKeyframe,
      errors: this.cloneErrors(),
      cpuMs,
      rssBytes: process.memoryUsage.rss(),
      sessionsScheduled: this.plan ? this.schedule.size : 0,
      behindMs,
      inflightFrames: this.inflightFrames,
      // The monitor's samples include its own resolution; report the delay beyond it.
      loopDelayP99Ms: measured
        ? Math.max(0, loop.percentile(99) * ns - LOOP_DELAY_RESOLUTION_MS)
        : 0,
      loopDelayMaxMs: measured ? Math.max(0, loop.max * ns - LOOP_DELAY_RESOLUTION_MS) : 0,
    };
  }

  /** The counters since the last reset; `reset` starts a new window. */
  snapshot(reset: boolean): GeneratorSnapshot {
    const now = performance.now();
    const snapshot = this.describe(this.window, now - this.windowStart, this.cpuMs() - this.windowCpu, this.behindMs(now) - this.windowBehindMs);
    if (reset) this.resetWindow(now);
    return snapshot;
  }

  /**
   * Stops the traffic and closes every session (our server: the visitor sends `stop`, so
   * the sessions end at once, [SS6]). Returns the counters of the whole run.
   */
  async stop(): Promise<GeneratorSnapshot> {
    this.pause();
    this.stopped = true;
    const now = performance.now();
    this.total.merge(this.window);
    this.window = new Counters();
    const result = this.describe(this.total, now - this.begunAt, 0, this.behindMs(now));
    this.loopDelay.disable();
    const closes: Promise<void>[] = [];
    for (const session of this.sessions) {
      session.stopping = true;
      for (const ws of [session.visitor, session.agent]) {
        if (ws && ws.readyState !== WebSocket.CLOSED) closes.push(new Promise((resolve) => ws.once('close', () => resolve())));
      }
      if (this.config.target.kind === 'opencobrowse' && session.visitor?.readyState === WebSocket.OPEN) {
        session.visitor.send('{"type":"stop"}');
      } else {
        session.visitor?.close(1000);
        session.agent?.close(1000);
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Behind an overload backlog a closing handshake would wait for all of it: do not wait.
    const wait = this.errors.overloaded ? 0 : STOP_TIMEOUT_MS;
    await Promise.race([Promise.all(closes), new Promise((resolve) => (timer = setTimeout(resolve, wait)))]);
    clearTimeout(timer);
    for (const session of this.sessions) {
      session.visitor?.terminate();
      session.agent?.terminate();
    }
    return result;
  }

  private sample(text: string): void {
    if (this.errors.samples.length < MAX_ERROR_SAMPLES) this.errors.samples.push(text);
  }

  private cloneErrors(): GeneratorErrors {
    return { ...this.errors, unexpectedCloses: { ...this.errors.unexpectedCloses }, samples: [...this.errors.samples] };
  }

  /** Whether the overload guard stopped the traffic. */
  get overloaded(): boolean {
    return this.errors.overloaded;
  }
}
