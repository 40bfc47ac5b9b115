/**
 * The viewer's outbox (src/agent/viewer/outbox.ts): nothing the server would refuse goes
 * out ([CM1]), commands wait for the session ([AP9]) and fail once it is over, actions are
 * never replayed late, and the pace stays under the server's rate cap.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentToServer } from '../../src/shared/protocol/control.js';
import type { BridgeError } from '../../src/agent/api/bridge-protocol.js';
import { Outbox } from '../../src/agent/viewer/outbox.js';

let clock = 0;
let sent: AgentToServer[];
let socketOpen: boolean;

function outbox(options: { ratePerSecond?: number; burst?: number; maxQueued?: number } = {}): Outbox {
  return new Outbox({
    send: (message) => {
      if (!socketOpen) return false;
      sent.push(message);
      return true;
    },
    now: () => clock,
    ...options,
  });
}

const message = (name: string): AgentToServer => ({ type: 'message', name, data: null });

beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
  sent = [];
  socketOpen = true;
});
afterEach(() => vi.useRealTimers());

describe('Outbox', () => {
  it('[AP9] commands wait until the viewer is joined, then go out in order', () => {
    const box = outbox();
    const done: Array<BridgeError | null> = [];
    box.send(message('a'), 'command', (error) => done.push(error));
    box.send(message('b'), 'command', (error) => done.push(error));
    expect(sent).toEqual([]);
    box.setReady(true);
    expect(sent.map((m) => (m as { name: string }).name)).toEqual(['a', 'b']);
    expect(done).toEqual([null, null]);
  });

  it('commands survive a dropped connection; actions and volatile messages are dropped', () => {
    const box = outbox();
    box.setReady(false);
    expect(box.send({ type: 'pointer', x: 1, y: 1 }, 'volatile')).toBe(false);
    expect(box.send({ type: 'gesture', epoch: 1, x: 1, y: 1 }, 'action')).toBe(false);
    box.send(message('kept'), 'command');
    box.setReady(true);
    expect(sent).toEqual([message('kept')]);
  });

  it('[CM1] a message the server would refuse never goes out; the command reports why', () => {
    const box = outbox();
    box.setReady(true);
    let error: BridgeError | null = null;
    box.send({ type: 'message', name: 'x', data: 'y'.repeat(40_000) }, 'command', (e) => (error = e));
    expect(sent).toEqual([]);
    expect(error).toMatchObject({ code: 'invalid', message: expect.stringContaining('data over') });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(box.send({ type: 'pointer', x: Number.NaN, y: 0 }, 'volatile')).toBe(false);
  });

  it('once closed, waiting and later commands fail with the reason', () => {
    const box = outbox();
    const errors: Array<BridgeError | null> = [];
    box.send(message('a'), 'command', (e) => errors.push(e));
    box.close({ code: 'no-session', message: 'The visitor ended the session' });
    box.send(message('b'), 'command', (e) => errors.push(e));
    expect(errors).toEqual([
      { code: 'no-session', message: 'The visitor ended the session' },
      { code: 'no-session', message: 'The visitor ended the session' },
    ]);
    expect(sent).toEqual([]);
  });

  it('paces a burst below the server\'s cap: the rest follows as tokens come back, in order', () => {
    const box = outbox({ ratePerSecond: 10, burst: 3 });
    box.setReady(true);
    for (const name of ['1', '2', '3', '4', '5']) box.send(message(name), 'command');
    expect(sent).toHaveLength(3);
    // A pointer never jumps the queue and never waits: it is dropped.
    expect(box.send({ type: 'pointer', x: 1, y: 1 }, 'volatile')).toBe(false);
    clock += 100;
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(4);
    clock += 100;
    vi.advanceTimersByTime(100);
    expect(sent.map((m) => (m as { name: string }).name)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('too many waiting commands fail with busy', () => {
    const box = outbox({ maxQueued: 2 });
    const errors: Array<BridgeError | null> = [];
    for (const name of ['a', 'b', 'c']) box.send(message(name), 'command', (e) => errors.push(e));
    expect(errors).toEqual([expect.objectContaining({ code: 'busy' })]);
  });

  it('a command the socket could not take stays first in line', () => {
    const box = outbox();
    socketOpen = false;
    box.setReady(true);
    box.send(message('a'), 'command');
    expect(sent).toEqual([]);
    socketOpen = true;
    box.setReady(false);
    box.setReady(true);
    expect(sent).toEqual([message('a')]);
  });
});
