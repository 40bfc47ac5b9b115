import { describe, expect, it } from 'vitest';
import {
  RECONNECT_BASE_DELAY_MS,
  RECONNECT_MAX_ATTEMPTS,
  RECONNECT_MAX_DELAY_MS,
  RECONNECT_MIN_UPTIME_MS,
  Reconnector,
  type ReconnectOptions,
} from '../../src/visitor/engine/reconnect.js';
import { UnackedFrames } from '../../src/visitor/engine/unacked-frames.js';

/** A reconnector on a fake clock: timers run only when the test advances time. */
function harness(overrides: Partial<ReconnectOptions> = {}) {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  const log: string[] = [];
  const reconnector = new Reconnector({
    connect: () => log.push(`connect@${now}`),
    giveUp: () => log.push(`give-up@${now}`),
    random: () => 0.5,
    now: () => now,
    setTimer: (fn, ms) => {
      const timer = { at: now + ms, fn, id: nextId++ };
      timers.push(timer);
      return timer.id;
    },
    clearTimer: (id) => {
      timers = timers.filter((timer) => timer.id !== id);
    },
    ...overrides,
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((timer) => timer !== due);
      now = due.at;
      due.fn();
    }
    now = until;
  };
  return { reconnector, log, advance, pending: () => timers.length };
}

describe('reconnect schedule', () => {
  it('backs off exponentially from the base delay up to the cap', () => {
    const delays = Array.from({ length: 8 }, (_, n) => Reconnector.backoff(n, RECONNECT_BASE_DELAY_MS, RECONNECT_MAX_DELAY_MS));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000]);
  });

  it('jitter only shortens a delay, by at most 30 %, so the cap holds', () => {
    const low = harness({ random: () => 0 });
    const high = harness({ random: () => 0.999999 });
    low.reconnector.start();
    high.reconnector.start();
    expect(low.reconnector.dropped()).toBe(1000);
    expect(high.reconnector.dropped()).toBe(700);
  });

  it('with a fixed random the schedule is deterministic: attempts at the jittered delays', () => {
    const { reconnector, log, advance } = harness();
    reconnector.start();
    const delays: Array<number | null> = [];
    for (let i = 0; i < 5; i++) {
      delays.push(reconnector.dropped());
      advance(10_000);
    }
    // random 0.5 → 15 % shorter: 850, 1700, 3400, 6800, 6800.
    expect(delays).toEqual([850, 1700, 3400, 6800, 6800]);
    expect(log).toEqual(['connect@0', 'connect@850', 'connect@11700', 'connect@23400', 'connect@36800', 'connect@46800']);
  });

  it(`gives up after ${RECONNECT_MAX_ATTEMPTS} failed attempts in a row (conndrop)`, () => {
    const { reconnector, log, advance } = harness();
    reconnector.start();
    for (let i = 0; i < RECONNECT_MAX_ATTEMPTS; i++) {
      expect(reconnector.dropped()).not.toBeNull();
      advance(RECONNECT_MAX_DELAY_MS);
    }
    expect(reconnector.dropped()).toBeNull();
    expect(reconnector.state).toBe('gave-up');
    expect(log.filter((entry) => entry.startsWith('connect'))).toHaveLength(RECONNECT_MAX_ATTEMPTS + 1);
    expect(log.at(-1)).toMatch(/^give-up@/);
  });

  it('a connection that stayed up long enough resets the failure count; a short one does not', () => {
    const { reconnector, advance } = harness();
    reconnector.start();
    reconnector.dropped();
    advance(10_000);
    reconnector.dropped();
    advance(10_000);
    expect(reconnector.failures).toBe(2);
    reconnector.opened();
    advance(RECONNECT_MIN_UPTIME_MS - 1);
    expect(reconnector.dropped()).toBe(3400); // third failure in a row
    advance(10_000);
    reconnector.opened();
    advance(RECONNECT_MIN_UPTIME_MS);
    expect(reconnector.dropped()).toBe(850); // counted afresh
  });

  it('online / visibility hurries a waiting retry instead of waiting out the backoff', () => {
    const { reconnector, log, advance, pending } = harness();
    reconnector.start();
    for (let i = 0; i < 3; i++) {
      reconnector.dropped();
      advance(10_000);
    }
    reconnector.dropped(); // waits 6800 ms
    advance(100);
    reconnector.hurry();
    advance(0);
    expect(log.at(-1)).toBe(`connect@${30_100}`);
    expect(pending()).toBe(0);
    reconnector.hurry(); // not waiting: nothing happens
    expect(log.filter((entry) => entry.startsWith('connect'))).toHaveLength(5);
  });

  it('stop cancels a pending attempt and ignores later drops', () => {
    const { reconnector, log, advance } = harness();
    reconnector.start();
    reconnector.dropped();
    reconnector.stop();
    advance(60_000);
    expect(reconnector.dropped()).toBeNull();
    expect(log).toEqual(['connect@0']);
  });
});

describe('[SS5] unacknowledged frames for resending', () => {
  const frame = (n: number, size = 10) => new Uint8Array(size).fill(n);

  it('acks drop frames up to the acknowledged seq; a resume resends from the server nextSeq', () => {
    const buffer = new UnackedFrames();
    for (let seq = 1; seq <= 5; seq++) buffer.add(seq, frame(seq));
    buffer.ack(2);
    expect(buffer.size).toBe(3);
    expect(buffer.resendFrom(4, 6)?.map((f) => f[0])).toEqual([4, 5]);
    expect(buffer.resendFrom(6, 6)).toEqual([]);
  });

  it('cannot resend when frames are missing or the server is ahead: a keyframe must repair it', () => {
    const buffer = new UnackedFrames();
    for (let seq = 5; seq <= 6; seq++) buffer.add(seq, frame(seq));
    expect(buffer.resendFrom(3, 7)).toBeNull();
    expect(buffer.resendFrom(9, 7)).toBeNull();
  });

  it('past its byte bound it drops everything and says so until cleared', () => {
    const buffer = new UnackedFrames(25);
    buffer.add(1, frame(1));
    buffer.add(2, frame(2));
    buffer.add(3, frame(3));
    expect(buffer.overflowed).toBe(true);
    expect(buffer.bytes).toBe(0);
    buffer.add(4, frame(4));
    expect(buffer.size).toBe(0);
    expect(buffer.resendFrom(1, 5)).toBeNull();
    buffer.clear();
    buffer.add(5, frame(5));
    expect(buffer.resendFrom(5, 6)?.length).toBe(1);
  });
});
