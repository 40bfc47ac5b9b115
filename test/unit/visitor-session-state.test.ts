import { describe, expect, it } from 'vitest';
import { SessionStateStore } from '../../src/visitor/engine/session-state.js';
import { askDescriptor, sameRules } from '../../src/visitor/engine/masking-descriptor.js';
import type { SessionState } from '../../src/shared/protocol/control.js';

const state = (overrides: Partial<SessionState> = {}): SessionState => ({
  rc: { enabled: true, suspended: true },
  paused: { paused: true, message: 'card' },
  userState: { plan: 'gold' },
  visible: true,
  screenshare: { screenshareView: 'glance_screenshare', state: 'continued', paused: false, params: {} },
  accessibility: true,
  page: { url: 'https://x/', title: 'x', browser: { name: 'Chrome', version: '1', platform: 'Linux' } },
  ...overrides,
});

describe('[AP7] the page\'s copy of the session state', () => {
  it('restores the welcome\'s state for getSessionState and getUserState', () => {
    const store = new SessionStateStore();
    store.restore(state(), { count: 1, agentlist: [{ username: 'a', name: 'A', title: '', partnerid: '', partneruserid: '' }] });
    expect(store.get('rc')).toEqual({ enabled: true, suspended: true });
    expect(store.get('sessionpaused')).toEqual({ paused: true, message: 'card' });
    expect(store.get('accessibility')).toEqual({ enabled: true });
    expect(store.get('agents')).toMatchObject({ count: 1 });
    expect(store.get('screenshare', 'glance_screenshare')).toMatchObject({ state: 'continued' });
    expect(store.get('screenshare', 'other')).toBeUndefined();
    expect(store.getUserState('plan')).toBe('gold');
    expect(store.getUserState('toString')).toBeUndefined();
    expect(store.get('nonsense')).toBeUndefined();
  });

  it('records stateful events only; an ended screen share leaves its view', () => {
    const store = new SessionStateStore();
    store.record('connection', { status: 'reconnecting' });
    store.record('sessionstart', {});
    expect(store.get('connection')).toEqual({ status: 'reconnecting' });
    expect(store.get('sessionstart')).toBeUndefined();
    store.setScreenshare({ screenshareView: 'v', state: 'new', paused: false, params: {} });
    store.setScreenshare({ screenshareView: 'v', state: 'ended', paused: false, params: {} });
    expect(store.get('screenshare', 'v')).toBeUndefined();
    expect(store.get('screenshare')).toMatchObject({ state: 'ended' });
    store.setRc({ enabled: false, suspended: true });
    expect(store.rc).toEqual({ enabled: false, suspended: false });
  });
});

describe('[MK6] masking descriptors', () => {
  const agents = { count: 0, agentlist: [] };

  it('adds the descriptor\'s selectors to the group\'s and passes the agents', async () => {
    let seen: unknown;
    const result = await askDescriptor((params) => {
      seen = params;
      return Promise.resolve({ maskedelements: ['#ssn'], maskpage: false });
    }, agents, ['.card']);
    expect(result).toEqual({ ok: true, rules: { selectors: ['.card', '#ssn'], maskPage: false }, unmasked: false });
    expect(seen).toEqual({ agents: { count: 0, agentlist: [] } });
    expect(await askDescriptor(() => ({ maskpage: true, unmaskedelements: ['#x'] }), agents, [])).toEqual({ ok: true, rules: { selectors: [], maskPage: true }, unmasked: true });
    expect(await askDescriptor(() => undefined, agents, ['.a'])).toEqual({ ok: true, rules: { selectors: ['.a'] }, unmasked: false });
  });

  it('a rejection, a throw, a bad answer or no answer in time fails (the page is then masked whole)', async () => {
    expect(await askDescriptor(() => Promise.reject(new Error('down')), agents, [])).toEqual({ ok: false, reason: 'down' });
    expect(await askDescriptor(() => {
      throw new Error('bug');
    }, agents, [])).toEqual({ ok: false, reason: 'bug' });
    expect(await askDescriptor(() => ({ maskedelements: '#a' }), agents, [])).toMatchObject({ ok: false });
    expect(await askDescriptor(() => 'mask', agents, [])).toMatchObject({ ok: false });
    expect(await askDescriptor(() => new Promise(() => {}), agents, [], 20)).toEqual({ ok: false, reason: 'no answer within 20 ms' });
  });

  it('rule sets compare by selectors and page masking', () => {
    expect(sameRules({ selectors: ['a', 'b'] }, { selectors: ['a', 'b'], maskPage: false })).toBe(true);
    expect(sameRules({ selectors: ['a'] }, { selectors: ['a'], maskPage: true })).toBe(false);
    expect(sameRules({ selectors: ['a'] }, { selectors: ['b'] })).toBe(false);
  });
});
