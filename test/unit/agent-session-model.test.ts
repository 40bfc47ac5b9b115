/**
 * The viewer's session model (src/agent/viewer/session-model.ts): server messages in,
 * Agent API events out, and the state `getSessionState` reads ([AP1]–[AP8], [RC1]–[RC3]).
 */
import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../src/shared/protocol/control.js';
import { SessionModel } from '../../src/agent/viewer/session-model.js';

const browser = { name: 'Chrome', version: '156', platform: 'Linux' };
const demo = { username: 'demo', name: 'Demo Agent', title: '', partnerid: '10000', partneruserid: 'demo' };

function state(overrides: Partial<SessionState> = {}): SessionState {
  return {
    rc: { enabled: false, suspended: false },
    paused: { paused: false, message: '' },
    userState: {},
    visible: true,
    screenshare: null,
    accessibility: false,
    page: { url: 'https://shop.example.com/cart', title: 'Cart', browser },
    ...overrides,
  };
}

function joined(s: SessionState = state()) {
  return {
    type: 'joined' as const,
    sessionId: '10000.a',
    key: 'k',
    groupId: '10000',
    startedAt: 0,
    visitor: {},
    agents: { count: 1, agentlist: [demo] },
    state: s,
  };
}

const names = (changes: ReturnType<SessionModel['apply']>) => changes.map((c) => c.name);

describe('SessionModel', () => {
  it('[AP7] joined: agents, navigate for the page, then statereceived with the whole state', () => {
    const model = new SessionModel();
    const changes = model.apply(joined(state({ userState: { plan: 'gold' } })));
    expect(names(changes)).toEqual(['agents', 'navigate', 'statereceived']);
    expect(changes[1]!.data).toEqual({ url: 'https://shop.example.com/cart', title: 'Cart', browser, visitorversion: '1' });
    expect(changes[2]!.data).toEqual(model.snapshot());
    expect(model.snapshot()).toEqual({
      events: {
        agents: { count: 1, agentlist: [demo] },
        rc: { enabled: false, suspended: false },
        sessionpaused: { paused: false, message: '' },
        pagevisibility: 'visible',
        accessibility: { enabled: false },
        navigate: { url: 'https://shop.example.com/cart', title: 'Cart', browser, visitorversion: '1' },
      },
      userState: { plan: 'gold' },
    });
  });

  it('[AP7] joined: state that differs from what was known fires its event (a late or returning agent)', () => {
    const model = new SessionModel();
    const returning = state({
      rc: { enabled: true, suspended: false },
      paused: { paused: true, message: 'Card' },
      visible: false,
      accessibility: true,
      screenshare: { screenshareView: 'glance_screenshare', state: 'new', paused: false, params: {} },
    });
    const changes = model.apply(joined(returning));
    expect(names(changes)).toEqual(['agents', 'rc', 'sessionpaused', 'pagevisibility', 'screenshare', 'accessibility', 'navigate', 'statereceived']);
    // The same state again (the viewer reconnected): only agents and statereceived.
    expect(names(model.apply(joined(returning)))).toEqual(['agents', 'statereceived']);
  });

  it('[AP1]–[AP6] each session message becomes its Agent API event and updates the state', () => {
    const model = new SessionModel();
    model.apply(joined());
    expect(model.apply({ type: 'message', name: 'cart', data: 3 })).toEqual([{ kind: 'message', name: 'cart', data: 3 }]);
    expect(model.apply({ type: 'userstate', name: 'plan', value: 'gold' })).toEqual([{ kind: 'event', name: 'userstate', data: { name: 'plan', value: 'gold' } }]);
    expect(model.snapshot().userState).toEqual({ plan: 'gold' });
    expect(model.apply({ type: 'rc', enabled: true, suspended: true })[0]).toMatchObject({ name: 'rc', data: { enabled: true, suspended: true } });
    expect(model.apply({ type: 'rc-declined' })[0]).toMatchObject({ name: 'rcdeclined' });
    expect(model.apply({ type: 'paused', paused: true, message: 'x' })[0]).toMatchObject({ name: 'sessionpaused', data: { paused: true, message: 'x' } });
    expect(model.apply({ type: 'visibility', visible: false })[0]).toMatchObject({ name: 'pagevisibility', data: 'hidden' });
    expect(model.apply({ type: 'page', url: 'https://shop.example.com/pay', title: 'Pay', browser })[0]).toMatchObject({
      name: 'navigate',
      data: { url: 'https://shop.example.com/pay', title: 'Pay' },
    });
    expect(model.apply({ type: 'accessibility', enabled: true })[0]).toMatchObject({ name: 'accessibility', data: { enabled: true } });
    expect(model.apply({ type: 'denied', action: 'navigate', reason: 'no' })[0]).toMatchObject({ name: 'accessdenied', data: { action: 'navigate', reason: 'no' } });
    const events = model.snapshot().events;
    expect(events['rc']).toEqual({ enabled: true, suspended: true });
    expect(events['pagevisibility']).toBe('hidden');
    expect(events['navigate']).toMatchObject({ url: 'https://shop.example.com/pay' });
  });

  it('[AP5] a screen share is kept until it ends', () => {
    const model = new SessionModel();
    model.apply(joined());
    const share = { screenshareView: 'glance_screenshare', state: 'new' as const, paused: false, params: {} };
    model.apply({ type: 'screenshare', ...share });
    expect(model.snapshot().events['screenshare']).toEqual(share);
    expect(model.apply({ type: 'screenshare', ...share, state: 'ended' })[0]).toMatchObject({ name: 'screenshare', data: { state: 'ended' } });
    expect(model.snapshot().events['screenshare']).toBeUndefined();
  });

  it('[SS6] sessionend once: the session ended, the agent left, or the viewer could not connect', () => {
    const ended = new SessionModel();
    ended.apply(joined());
    expect(ended.apply({ type: 'ended', reason: 'visitor' })).toEqual([{ kind: 'event', name: 'sessionend', data: { reason: 'visitor' } }]);
    expect(ended.left()).toEqual([]);
    expect(ended.failed(4401, 'x')).toEqual([]);

    const left = new SessionModel();
    left.apply(joined());
    expect(left.left()).toEqual([{ kind: 'event', name: 'sessionend', data: { reason: 'left' } }]);

    const failed = new SessionModel();
    expect(failed.failed(4401, 'Not authorised')).toEqual([{ kind: 'event', name: 'connectfailed', data: { code: 4401, detail: 'Not authorised' } }]);
  });
});
