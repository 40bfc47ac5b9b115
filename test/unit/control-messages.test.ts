import { describe, expect, it } from 'vitest';
import { parseAgentMessage, parseVisitorMessage } from '../../src/shared/protocol/control.js';

const hello = {
  type: 'hello',
  v: 1,
  role: 'visitor',
  groupId: '10000',
  site: 'staging',
  page: { url: 'https://shop.example/', title: 'Shop' },
};

describe('control messages at the server boundary', () => {
  it('[CM1] accepts a well-formed visitor hello and drops unknown fields', () => {
    const result = parseVisitorMessage(JSON.stringify({ ...hello, key: 'abc_1-2', extra: 'x' }));
    expect(result).toEqual({ ok: true, message: { ...hello, key: 'abc_1-2' } });
  });

  it('[CM1] refuses non-JSON, unknown types and invalid fields with a reason', () => {
    expect(parseVisitorMessage('{nope')).toEqual({ ok: false, error: 'not JSON' });
    expect(parseVisitorMessage('{"type":"launch-missiles"}').ok).toBe(false);
    const badKey = parseVisitorMessage(JSON.stringify({ ...hello, key: 'has space' }));
    expect(badKey).toMatchObject({ ok: false, error: expect.stringContaining('key') });
    const badGroup = parseVisitorMessage(JSON.stringify({ ...hello, groupId: '12' }));
    expect(badGroup).toMatchObject({ ok: false, error: expect.stringContaining('groupId') });
  });

  it('[SS1] keys are letters, digits, _ and -, at most 50', () => {
    expect(parseVisitorMessage(JSON.stringify({ ...hello, key: 'a'.repeat(50) })).ok).toBe(true);
    expect(parseVisitorMessage(JSON.stringify({ ...hello, key: 'a'.repeat(51) })).ok).toBe(false);
    expect(parseVisitorMessage(JSON.stringify({ ...hello, key: 'ünïcode' })).ok).toBe(false);
  });

  it('[CM1] caps the visitor fields at the Glance lengths', () => {
    const long = parseVisitorMessage(JSON.stringify({ ...hello, visitor: { name: 'n'.repeat(64) } }));
    expect(long.ok).toBe(false);
    const ok = parseVisitorMessage(JSON.stringify({ ...hello, visitor: { name: 'n'.repeat(63), phone: '1'.repeat(31) } }));
    expect(ok.ok).toBe(true);
  });

  it('[CM1] refuses messages over 64 KiB before parsing them', () => {
    const big = JSON.stringify({ ...hello, page: { url: 'x'.repeat(70_000), title: '' } });
    expect(parseVisitorMessage(big)).toEqual({ ok: false, error: 'message too large' });
  });

  it('[HS3] an agent message schema does not accept visitor messages', () => {
    expect(parseAgentMessage(JSON.stringify(hello)).ok).toBe(false);
    expect(parseAgentMessage(JSON.stringify({ type: 'stop' })).ok).toBe(false);
    const agentHello = { type: 'hello', v: 1, role: 'agent', ticket: 't', key: '1234', wait: true };
    expect(parseAgentMessage(JSON.stringify(agentHello))).toEqual({ ok: true, message: agentHello });
  });
});
