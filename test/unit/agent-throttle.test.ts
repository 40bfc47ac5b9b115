/**
 * The pointer and scroll throttle (src/agent/viewer/throttle.ts): at most one value per
 * interval, and the last value always goes out ([RC9]).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from '../../src/agent/viewer/throttle.js';

let clock = 0;
beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
});
afterEach(() => vi.useRealTimers());

function advance(ms: number): void {
  clock += ms;
  vi.advanceTimersByTime(ms);
}

describe('Throttle', () => {
  it('sends the first value at once, then the latest once per interval', () => {
    const sent: number[] = [];
    const throttle = new Throttle<number>(33, (value) => sent.push(value), () => clock);
    throttle.push(1);
    expect(sent).toEqual([1]);
    for (let value = 2; value <= 10; value++) {
      advance(5);
      throttle.push(value);
    }
    // 45 ms in: one more went out at 33 ms (the latest then, 7), the last waits its turn.
    expect(sent).toEqual([1, 7]);
    advance(40);
    expect(sent).toEqual([1, 7, 10]);
  });

  it('flush sends the waiting value now; cancel forgets it', () => {
    const sent: string[] = [];
    const throttle = new Throttle<string>(100, (value) => sent.push(value), () => clock);
    throttle.push('a');
    throttle.push('b');
    expect(throttle.waiting).toBe('b');
    throttle.flush();
    expect(sent).toEqual(['a', 'b']);
    advance(10);
    throttle.push('c');
    throttle.cancel();
    advance(200);
    expect(sent).toEqual(['a', 'b']);
  });
});
