import { describe, expect, it } from 'vitest';
import { checkNavigation } from '../../src/server/relay/navigation.js';
import { hostMatches } from '../../src/shared/trusted-domains.js';
import { applyPolicy, DEFAULT_POLICY, PolicyRefusal, type PolicyContext } from '../../src/server/relay/policy.js';
import { DEFAULT_SITE_SETTINGS } from '../../src/server/store/store.js';
import { describeBrowser } from '../../src/server/relay/user-agent.js';

const page = 'https://shop.example.com/cart/checkout?step=2';

describe('navigation targets', () => {
  it('[NV1] relative URLs resolve against the visitor page', () => {
    expect(checkNavigation('../help', page, [])).toEqual({ ok: true, target: { kind: 'url', url: 'https://shop.example.com/help' } });
    expect(checkNavigation('/account', page, [])).toEqual({ ok: true, target: { kind: 'url', url: 'https://shop.example.com/account' } });
  });

  it('[NV1] absolute URLs must be the page host or a trusted domain', () => {
    expect(checkNavigation('https://shop.example.com/x', page, []).ok).toBe(true);
    expect(checkNavigation('https://evil.example.net/x', page, [])).toMatchObject({ ok: false, reason: expect.stringContaining('evil.example.net') });
    expect(checkNavigation('https://help.example.com/x', page, ['help.example.com']).ok).toBe(true);
    expect(checkNavigation('https://a.b.example.com/', page, ['*.example.com']).ok).toBe(true);
    expect(checkNavigation('https://example.com.evil.net/', page, ['*.example.com']).ok).toBe(false);
  });

  it('[NV1] refuses script URLs, other schemes and credentials', () => {
    expect(checkNavigation('javascript:alert(1)', page, []).ok).toBe(false);
    expect(checkNavigation('data:text/html,<script>', page, []).ok).toBe(false);
    expect(checkNavigation('https://shop.example.com@evil.net/', page, []).ok).toBe(false);
    expect(checkNavigation('https://user:pw@shop.example.com/', page, []).ok).toBe(false);
  });

  it('[NV1] history keywords pass as keywords, in Glance\'s long and short forms', () => {
    expect(checkNavigation('back', page, [])).toEqual({ ok: true, target: { kind: 'history', keyword: 'back' } });
    expect(checkNavigation('f', page, [])).toEqual({ ok: true, target: { kind: 'history', keyword: 'forward' } });
    expect(checkNavigation('Refresh', page, [])).toEqual({ ok: true, target: { kind: 'history', keyword: 'refresh' } });
  });

  it('hostMatches: exact names and wildcard subdomains only', () => {
    expect(hostMatches('Shop.Example.com', 'shop.example.com')).toBe(true);
    expect(hostMatches('example.com', '*.example.com')).toBe(true);
    expect(hostMatches('badexample.com', '*.example.com')).toBe(false);
    expect(hostMatches('shop.example.com', 'https://shop.example.com/path')).toBe(true);
  });
});

describe('agent action policy', () => {
  const context = (overrides: Partial<PolicyContext> & { privileges?: Partial<PolicyContext['agent']['privileges']> } = {}): PolicyContext => ({
    agent: {
      agentId: 1,
      groupId: '10000',
      username: 'a',
      name: 'A',
      title: '',
      partnerUserId: 'a',
      role: 'agent',
      privileges: { view: true, remoteControl: true, navigate: true, screenShare: true, ...overrides.privileges },
    },
    settings: { ...DEFAULT_SITE_SETTINGS, ...overrides.settings },
    controlGranted: overrides.controlGranted ?? false,
    pageUrl: page,
  });
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof PolicyRefusal) return { action: error.action, reason: error.reason };
      throw error;
    }
    return null;
  };

  it('[RC1] asking for control needs the privilege and the group setting; giving it back never does', () => {
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, { kind: 'rc-request', enable: true }, context()))).toBeNull();
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, { kind: 'rc-request', enable: true }, context({ privileges: { remoteControl: false } })))).toEqual({ action: 'rcrequested', reason: 'no remote control privilege' });
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, { kind: 'rc-request', enable: true }, context({ settings: { ...DEFAULT_SITE_SETTINGS, allowRemoteControl: false } })))).toMatchObject({ action: 'rcrequested' });
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, { kind: 'rc-request', enable: false }, context({ privileges: { remoteControl: false } })))).toBeNull();
  });

  it('[RC5] remote-control actions need the visitor\'s grant', () => {
    const click = { kind: 'rc-event' as const, event: { kind: 'click' as const, target: 5, x: 1, y: 1 } };
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, click, context()))).toEqual({ action: 'rcevent', reason: 'the visitor has not granted control' });
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, click, context({ controlGranted: true })))).toBeNull();
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, click, context({ controlGranted: true, privileges: { remoteControl: false } })))).toMatchObject({ action: 'rcevent' });
  });

  it('[NV2] navigation needs the privilege, an allowed host, and control or a confirm prompt', () => {
    const go = (url: string, confirm?: unknown) => ({ kind: 'navigate' as const, request: { url, ...(confirm ? { confirm } : {}) } });
    expect(applyPolicy(DEFAULT_POLICY, go('/help', true), context())).toEqual({ kind: 'navigate', request: { url: 'https://shop.example.com/help', confirm: true } });
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, go('/help'), context()))).toMatchObject({ action: 'navigate', reason: expect.stringContaining('confirm') });
    expect(applyPolicy(DEFAULT_POLICY, go('/help'), context({ controlGranted: true }))).toMatchObject({ request: { url: 'https://shop.example.com/help' } });
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, go('https://evil.net/', true), context()))).toMatchObject({ action: 'navigate' });
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, go('/help', true), context({ privileges: { navigate: false } })))).toEqual({ action: 'navigate', reason: 'no navigate privilege' });
  });

  it('[AP5] screen share needs its privilege', () => {
    expect(refusal(() => applyPolicy(DEFAULT_POLICY, { kind: 'screenshare' }, context({ privileges: { screenShare: false } })))).toMatchObject({ action: 'screenshare' });
  });
});

describe('browser description', () => {
  it('names the common browsers and platforms', () => {
    expect(describeBrowser('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.79 Safari/537.36')).toEqual({ name: 'Chrome', version: '156.0.8078.79', platform: 'Linux' });
    expect(describeBrowser('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0')).toEqual({ name: 'Firefox', version: '128.0', platform: 'Windows' });
    expect(describeBrowser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toEqual({ name: 'Safari', version: '17.0', platform: 'iOS' });
    expect(describeBrowser(undefined)).toEqual({ name: 'unknown', version: 'unknown', platform: 'unknown' });
  });
});
