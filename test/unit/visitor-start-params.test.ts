import { describe, expect, it } from 'vitest';
import { fitDetail, readStartArgument } from '../../src/visitor/engine/start-params.js';
import type { VisitorConfig } from '../../src/visitor/loader/handoff.js';

const config = (overrides: Partial<VisitorConfig> = {}): VisitorConfig => ({
  groupId: '10000',
  additionalGroupIds: ['10001'],
  site: 'staging',
  server: 'https://cb.example.com',
  disableLogging: false,
  customUi: false,
  settings: {},
  ...overrides,
});

describe('startSession arguments', () => {
  it('a key, the random keyword, the visitor id, or the preset start params', () => {
    expect(readStartArgument('cust-1', undefined, config())).toMatchObject({ ok: true, request: { groupId: '10000', key: 'cust-1', visitor: {} } });
    expect(readStartArgument(12345, undefined, config())).toMatchObject({ ok: true, request: { key: '12345' } });
    expect(readStartArgument('GLANCE_KEYTYPE_RANDOM', undefined, config({ visitorId: 'v1' }))).toMatchObject({ ok: true, request: { key: undefined } });
    expect(readStartArgument(undefined, undefined, config({ visitorId: 'v1' }))).toMatchObject({ ok: true, request: { key: 'v1' } });
    expect(readStartArgument(undefined, { sessionKey: 'preset', name: 'Ada' }, config({ visitorId: 'v1' }))).toMatchObject({
      ok: true,
      request: { key: 'preset', visitor: { name: 'Ada' } },
    });
    expect(readStartArgument({ name: 'Ada' }, undefined, config())).toMatchObject({ ok: true, request: { key: undefined } });
  });

  it('the group must be the page\'s or one of its additional groups', () => {
    expect(readStartArgument({ groupid: 10001, sessionKey: 'k' }, undefined, config())).toMatchObject({ ok: true, request: { groupId: '10001' } });
    expect(readStartArgument({ groupid: '20000' }, undefined, config())).toMatchObject({ ok: false, error: expect.stringContaining('group 20000') as string });
  });

  it('invalid keys and arguments are refused with a message', () => {
    expect(readStartArgument('no spaces', undefined, config())).toEqual({ ok: false, error: 'startSession: invalid session key "no spaces": use 1 to 50 letters, digits, "_" or "-"' });
    expect(readStartArgument('x'.repeat(51), undefined, config())).toMatchObject({ ok: false });
    expect(readStartArgument(true, undefined, config())).toMatchObject({ ok: false });
  });

  it('visitor details follow Glance\'s limits: name 63, e-mail 127 and phone 31 Latin-1 characters', () => {
    const result = readStartArgument({ name: 'N'.repeat(70), email: 'é'.repeat(130), phone: '+1 ☎ 555' }, undefined, config());
    expect(result).toMatchObject({ ok: true, request: { visitor: { name: 'N'.repeat(63), email: 'é'.repeat(127), phone: '+1  555' } } });
    expect(result.ok && result.warnings).toHaveLength(3);
    // A name is never cut inside a character.
    expect(fitDetail('name', 'a'.repeat(62) + '😀')).toBe('a'.repeat(62));
    expect(fitDetail('phone', '+33 1 23 45 67 89')).toBe('+33 1 23 45 67 89');
  });
});
