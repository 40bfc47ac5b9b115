/**
 * The viewer's `crmOrigins` configuration (src/agent/viewer/config.ts): exact origins only,
 * since the bridge compares them with `MessageEvent.origin` as they are.
 */
import { describe, expect, it } from 'vitest';
import { ViewerConfigError, parseCrmOrigins } from '../../src/agent/viewer/config.js';

describe('parseCrmOrigins', () => {
  it('takes exact origins; none means the viewer\'s own origin only', () => {
    expect(parseCrmOrigins(['https://crm.example.com', 'http://localhost:3000'])).toEqual(['https://crm.example.com', 'http://localhost:3000']);
    expect(parseCrmOrigins(undefined)).toEqual([]);
    expect(parseCrmOrigins([])).toEqual([]);
  });

  it('refuses what is not exactly an origin, saying which entry', () => {
    for (const bad of ['https://crm.example.com/', 'https://crm.example.com/app', 'crm.example.com', '*', 'https://*.example.com', 'HTTPS://CRM.example.com', 'file:///tmp', 'null', 7]) {
      expect(() => parseCrmOrigins([bad])).toThrow(ViewerConfigError);
    }
    expect(() => parseCrmOrigins('https://crm.example.com')).toThrow('crmOrigins must be a list of origins');
    expect(() => parseCrmOrigins(['https://crm.example.com/x'])).toThrow('"https://crm.example.com/x" is not an origin');
  });
});
