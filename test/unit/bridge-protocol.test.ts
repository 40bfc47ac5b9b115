/**
 * The Agent API bridge's message checks (src/agent/api/bridge-protocol.ts): both ends accept
 * only their own windows, origins, channel and version, and the viewer takes only calls of
 * the right shape, since a CRM page is another site's code.
 */
import { describe, expect, it } from 'vitest';
import {
  BRIDGE_CHANNEL,
  BRIDGE_VERSION,
  fromExpected,
  isWebUrl,
  readCrmMessage,
  readViewerMessage,
  webOrigin,
} from '../../src/agent/api/bridge-protocol.js';

const envelope = { channel: BRIDGE_CHANNEL, v: BRIDGE_VERSION };
const viewerWindow = { name: 'viewer' };
const otherWindow = { name: 'other' };

describe('fromExpected', () => {
  const event = (overrides: Partial<{ source: unknown; origin: string; data: unknown }> = {}) => ({
    source: viewerWindow,
    origin: 'https://cobrowse.example.com',
    data: { ...envelope, kind: 'ready' },
    ...overrides,
  });
  const origins = ['https://cobrowse.example.com'];

  it('accepts our channel from the expected window and origin', () => {
    expect(fromExpected(event(), viewerWindow, origins)).toBe(true);
  });

  it('refuses another window, even of the right origin', () => {
    expect(fromExpected(event({ source: otherWindow }), viewerWindow, origins)).toBe(false);
    expect(fromExpected(event({ source: null }), null, origins)).toBe(false);
  });

  it('refuses another origin, even from the right window (the frame was navigated away)', () => {
    expect(fromExpected(event({ origin: 'https://evil.example.net' }), viewerWindow, origins)).toBe(false);
    expect(fromExpected(event({ origin: 'https://cobrowse.example.com.evil.net' }), viewerWindow, origins)).toBe(false);
  });

  it('ignores messages of other channels (the page\'s own postMessage traffic)', () => {
    expect(fromExpected(event({ data: { type: 'something-else' } }), viewerWindow, origins)).toBe(false);
    expect(fromExpected(event({ data: 'rogue-done' }), viewerWindow, origins)).toBe(false);
  });
});

describe('readCrmMessage (what the viewer accepts)', () => {
  /** The call read from a `call` message, or null. */
  const call = (body: unknown, id: unknown = 1) => {
    const message = readCrmMessage({ ...envelope, kind: 'call', id, call: body });
    return message && message.kind === 'call' ? message : null;
  };

  it('reads connect and each call', () => {
    expect(readCrmMessage({ ...envelope, kind: 'connect' })).toEqual({ ...envelope, kind: 'connect' });
    expect(call({ method: 'sendSessionMessage', name: 'offer', data: { a: 1 } })?.call).toEqual({ method: 'sendSessionMessage', name: 'offer', data: { a: 1 } });
    expect(call({ method: 'enableAccessibility', enabled: true })?.call).toEqual({ method: 'enableAccessibility', enabled: true });
    expect(call({ method: 'requestRC', enable: false })?.call).toEqual({ method: 'requestRC', enable: false });
    expect(call({ method: 'screenshare', action: 'pause', params: { screenshareView: 'glance_screenshare' } })?.call).toEqual({
      method: 'screenshare',
      action: 'pause',
      params: { screenshareView: 'glance_screenshare' },
    });
    expect(call({ method: 'leaveSession', url: null })?.call).toEqual({ method: 'leaveSession', url: null });
    expect(call({ method: 'leaveSession', url: 'https://crm.example.com/done' })?.call).toEqual({ method: 'leaveSession', url: 'https://crm.example.com/done' });
  });

  it('keeps only the known fields of navigate', () => {
    const read = call({ method: 'navigate', params: { url: '/cart', confirm: {}, open: { target: '_blank', features: 'width=1', extra: 1 }, link: { target: '_self' }, evil: 1 } });
    expect(read?.call).toEqual({ method: 'navigate', params: { url: '/cart', confirm: {}, open: { target: '_blank', features: 'width=1' }, link: { target: '_self' } } });
  });

  it('refuses malformed calls', () => {
    expect(call({ method: 'sendSessionMessage', name: 42 })).toBeNull();
    expect(call({ method: 'sendSessionMessage', name: 'x'.repeat(101) })).toBeNull();
    expect(call({ method: 'enableAccessibility', enabled: 'yes' })).toBeNull();
    expect(call({ method: 'navigate', params: { url: 7 } })).toBeNull();
    expect(call({ method: 'navigate', params: { url: '/', open: 'x' } })).toBeNull();
    expect(call({ method: 'screenshare', action: 'explode', params: {} })).toBeNull();
    expect(call({ method: 'screenshare', action: 'add', params: [] })).toBeNull();
    expect(call({ method: 'leaveSession', url: 'javascript:alert(1)' })).toBeNull();
    expect(call({ method: 'leaveSession', url: '/relative' })).toBeNull();
    expect(call({ method: 'eval', code: '1' })).toBeNull();
    expect(call({ method: 'requestRC', enable: true }, -1)).toBeNull();
    expect(call({ method: 'requestRC', enable: true }, 1.5)).toBeNull();
  });

  it('refuses other versions and channels', () => {
    expect(readCrmMessage({ channel: BRIDGE_CHANNEL, v: BRIDGE_VERSION + 1, kind: 'connect' })).toBeNull();
    expect(readCrmMessage({ channel: 'glance', v: BRIDGE_VERSION, kind: 'connect' })).toBeNull();
    expect(readCrmMessage(null)).toBeNull();
    expect(readCrmMessage('connect')).toBeNull();
  });
});

describe('readViewerMessage (what the CRM page accepts)', () => {
  it('reads every kind', () => {
    expect(readViewerMessage({ ...envelope, kind: 'ready' })?.kind).toBe('ready');
    expect(readViewerMessage({ ...envelope, kind: 'bye' })?.kind).toBe('bye');
    expect(readViewerMessage({ ...envelope, kind: 'connected', snapshot: { events: { rc: {} }, userState: { a: 1 } } })).toMatchObject({
      snapshot: { events: { rc: {} }, userState: { a: 1 } },
    });
    expect(readViewerMessage({ ...envelope, kind: 'event', name: 'rc', data: { enabled: true } })).toMatchObject({ name: 'rc', data: { enabled: true } });
    expect(readViewerMessage({ ...envelope, kind: 'message', name: 'cart', data: 3 })).toMatchObject({ name: 'cart', data: 3 });
    expect(readViewerMessage({ ...envelope, kind: 'result', id: 4, error: null })).toMatchObject({ id: 4, error: null });
    expect(readViewerMessage({ ...envelope, kind: 'result', id: 4, error: { code: 'no-session', message: 'over' } })).toMatchObject({
      error: { code: 'no-session', message: 'over' },
    });
  });

  it('refuses malformed ones', () => {
    expect(readViewerMessage({ ...envelope, kind: 'connected', snapshot: null })).toBeNull();
    expect(readViewerMessage({ ...envelope, kind: 'event', name: 5 })).toBeNull();
    expect(readViewerMessage({ ...envelope, kind: 'result', id: 'x', error: null })).toBeNull();
    expect(readViewerMessage({ ...envelope, kind: 'result', id: 1, error: 'bad' })).toBeNull();
    expect(readViewerMessage({ ...envelope, kind: 'call' })).toBeNull();
  });
});

describe('URLs', () => {
  it('only http and https are web URLs', () => {
    expect(isWebUrl('https://crm.example.com/x')).toBe(true);
    expect(isWebUrl('http://localhost:3000/')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('data:text/html,hi')).toBe(false);
    expect(isWebUrl('/relative')).toBe(false);
  });

  it('webOrigin resolves relative URLs and keeps only web origins', () => {
    expect(webOrigin('/agentjoin/AgentView.aspx?SessionKey=1', 'https://cobrowse.example.com/crm')).toBe('https://cobrowse.example.com');
    expect(webOrigin('https://cobrowse.example.com:8443/x')).toBe('https://cobrowse.example.com:8443');
    expect(webOrigin('about:blank')).toBeNull();
    expect(webOrigin('not a url')).toBeNull();
  });
});
