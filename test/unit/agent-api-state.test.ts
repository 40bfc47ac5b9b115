/**
 * The CRM page's side of the Agent API (src/agent/api/): the state behind the synchronous
 * getters, and listener lists that survive a throwing listener.
 */
import { describe, expect, it, vi } from 'vitest';
import { AgentState } from '../../src/agent/api/agent-state.js';
import { ListenerMap } from '../../src/agent/api/listeners.js';

describe('AgentState', () => {
  it('keeps the latest payload of stateful events only', () => {
    const state = new AgentState();
    state.record('rc', { enabled: true, suspended: false });
    state.record('rc', { enabled: false, suspended: false });
    state.record('accessdenied', { action: 'navigate', reason: 'no' });
    state.record('pagevisibility', 'hidden');
    expect(state.sessionState('rc')).toEqual({ enabled: false, suspended: false });
    expect(state.sessionState('pagevisibility')).toBe('hidden');
    expect(state.sessionState('accessdenied')).toBeUndefined();
  });

  it('user state from userstate events; a snapshot (connected, statereceived) replaces everything', () => {
    const state = new AgentState();
    state.record('userstate', { name: 'plan', value: { tier: 'gold' } });
    expect(state.userValue('plan')).toEqual({ tier: 'gold' });
    state.record('statereceived', { events: { rc: { enabled: true, suspended: false }, bogus: 1 }, userState: { other: 2 } });
    expect(state.userValue('plan')).toBeUndefined();
    expect(state.userValue('other')).toBe(2);
    expect(state.sessionState('rc')).toEqual({ enabled: true, suspended: false });
    expect(state.sessionState('bogus')).toBeUndefined();
  });

  it('accessibilityEnabled follows the agent\'s switch at once, then the server', () => {
    const state = new AgentState();
    expect(state.accessibilityEnabled).toBe(false);
    state.expectAccessibility(true);
    expect(state.accessibilityEnabled).toBe(true);
    state.record('accessibility', { enabled: false }); // another agent switched it off meanwhile
    expect(state.accessibilityEnabled).toBe(false);
  });
});

describe('ListenerMap', () => {
  it('calls listeners with (name, data) in order; a throwing one is reported and the rest run', () => {
    const report = vi.fn();
    const map = new ListenerMap(report);
    const calls: string[] = [];
    const first = (name: string, data: unknown) => calls.push(`first ${name} ${String(data)}`);
    map.add('rc', first);
    map.add('rc', first); // once only, as with the DOM
    map.add('rc', () => {
      throw new Error('broken CRM handler');
    });
    map.add('rc', (name) => calls.push(`third ${name}`));
    map.emit('rc', 1);
    expect(calls).toEqual(['first rc 1', 'third rc']);
    expect(report).toHaveBeenCalledWith('rc', expect.any(Error));
    map.remove('rc', first);
    calls.length = 0;
    map.emit('rc', 2);
    expect(calls).toEqual(['third rc']);
  });

  it('a listener may remove itself while the event is being delivered', () => {
    const map = new ListenerMap(() => {});
    const calls: number[] = [];
    const once = () => {
      calls.push(1);
      map.remove('x', once);
    };
    map.add('x', once);
    map.add('x', () => calls.push(2));
    map.emit('x', null);
    map.emit('x', null);
    expect(calls).toEqual([1, 2, 2]);
  });
});
