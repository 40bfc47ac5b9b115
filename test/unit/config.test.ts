import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  findPackageRoot,
  loadConfig,
  parseConfigFile,
} from '../../src/server/config.js';

describe('configuration', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'oc-config-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the documented defaults', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    const root = findPackageRoot();
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: path.join(dir, 'data'),
      databaseUrl: undefined,
      secretKey: undefined,
      publicUrl: undefined,
      logLevel: 'info',
      trustProxy: false,
      loginMaxFailuresPerMinute: 10,
      sessionLookupMaxFailuresPerMinute: 20,
      demo: { enabled: true, port: undefined, password: undefined, apiKey: undefined },
      crmOrigins: [],
      groups: [],
      relay: {},
      publicDir: path.join(root, 'dist', 'public'),
      demoSiteDir: path.join(root, 'demo', 'site'),
    });
  });

  it('takes flags over environment over config file', async () => {
    const file = path.join(dir, 'conf', 'opencobrowse.json');
    await mkdir(path.dirname(file));
    await writeFile(
      file,
      JSON.stringify({
        port: 9000,
        host: '0.0.0.0',
        dataDir: 'store',
        logLevel: 'debug',
        demo: { port: 9100, enabled: false },
      }),
    );
    const fromFile = loadConfig({ env: { COBROWSE_CONFIG: file }, cwd: dir });
    expect(fromFile).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: path.join(dir, 'conf', 'store'), // relative to the file
      logLevel: 'debug',
      demo: { enabled: false, port: 9100 },
    });

    const env = {
      COBROWSE_CONFIG: file,
      PORT: '7000',
      HOST: '::',
      LOG_LEVEL: 'WARN',
      DEMO_PORT: '7100',
      COBROWSE_DEMO: 'on',
      DATA_DIR: 'envdata',
    };
    expect(loadConfig({ env, cwd: dir })).toMatchObject({
      port: 7000,
      host: '::',
      logLevel: 'warn',
      dataDir: path.join(dir, 'envdata'),
      demo: { enabled: true, port: 7100 },
    });

    const flags = {
      port: '6000',
      host: 'localhost',
      logLevel: 'error',
      demoPort: '6100',
      demo: false,
      dataDir: 'flagdata',
      publicUrl: 'https://cb.example.com/',
    };
    expect(loadConfig({ env, flags, cwd: dir })).toMatchObject({
      port: 6000,
      host: 'localhost',
      logLevel: 'error',
      dataDir: path.join(dir, 'flagdata'),
      publicUrl: 'https://cb.example.com',
      demo: { enabled: false, port: 6100 },
    });
  });

  it('reads the demo password and API key from the environment', () => {
    const config = loadConfig({
      env: { COBROWSE_DEMO_PASSWORD: 'pw-from-env', COBROWSE_DEMO_API_KEY: 'k'.repeat(32) },
      cwd: dir,
    });
    expect(config.demo).toMatchObject({ password: 'pw-from-env', apiKey: 'k'.repeat(32) });
  });

  it('takes the database URL from the flag, DATABASE_URL or the file, and the secret key from the environment', async () => {
    const file = path.join(dir, 'opencobrowse.json');
    await writeFile(file, JSON.stringify({ databaseUrl: 'postgres://file@db/oc' }));
    expect(loadConfig({ env: { COBROWSE_CONFIG: file }, cwd: dir }).databaseUrl).toBe(
      'postgres://file@db/oc',
    );
    const env = {
      COBROWSE_CONFIG: file,
      DATABASE_URL: 'postgresql://env@db/oc',
      COBROWSE_SECRET_KEY: 'ab'.repeat(32),
    };
    expect(loadConfig({ env, cwd: dir })).toMatchObject({
      databaseUrl: 'postgresql://env@db/oc',
      secretKey: 'ab'.repeat(32),
    });
    expect(
      loadConfig({ env, flags: { databaseUrl: 'postgres://flag@db/oc' }, cwd: dir }).databaseUrl,
    ).toBe('postgres://flag@db/oc');
  });

  it('refuses a database URL that is not PostgreSQL, without echoing its password, and a short secret key', () => {
    expect(() =>
      loadConfig({ env: { DATABASE_URL: 'mysql://root:hunter2@db/oc' }, cwd: dir }),
    ).toThrow(
      /^DATABASE_URL: must be a PostgreSQL URL like postgres:\/\/.*"mysql:\/\/root:\*\*\*@db\/oc"/,
    );
    expect(() => loadConfig({ env: { COBROWSE_SECRET_KEY: 'too-short' }, cwd: dir })).toThrow(
      /COBROWSE_SECRET_KEY: must be 32 random bytes as 64 hex digits/,
    );
    expect(() => loadConfig({ env: { COBROWSE_DEMO_API_KEY: 'short' }, cwd: dir })).toThrow(
      /COBROWSE_DEMO_API_KEY: must be at least 16 characters/,
    );
  });

  it('names the bad variable or flag in its error', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' }, cwd: dir })).toThrow(
      /PORT: must be a port number 0–65535, got "eighty"/,
    );
    expect(() => loadConfig({ env: {}, flags: { port: '70000' }, cwd: dir })).toThrow(
      /--port: must be a port number/,
    );
    expect(() => loadConfig({ env: { LOG_LEVEL: 'loud' }, cwd: dir })).toThrow(
      /LOG_LEVEL: must be one of fatal, error/,
    );
    expect(() => loadConfig({ env: { PUBLIC_URL: 'cb.example.com' }, cwd: dir })).toThrow(
      /PUBLIC_URL: must be an absolute http\(s\) URL/,
    );
    expect(() => loadConfig({ env: { COBROWSE_DEMO: 'maybe' }, cwd: dir })).toThrow(
      /COBROWSE_DEMO: must be on\/off/,
    );
    expect(() =>
      loadConfig({ env: { COBROWSE_CONFIG: path.join(dir, 'missing.json') }, cwd: dir }),
    ).toThrow(/cannot read config file .*missing\.json/);
  });

  it('takes CRM origins from COBROWSE_CRM_ORIGINS or the file, and refuses anything but an exact origin', async () => {
    expect(
      loadConfig({ env: { COBROWSE_CRM_ORIGINS: ' https://crm.example.com , http://localhost:3000/' }, cwd: dir }).crmOrigins,
    ).toEqual(['https://crm.example.com', 'http://localhost:3000']);
    const file = path.join(dir, 'crm.json');
    await writeFile(file, JSON.stringify({ crmOrigins: ['https://desk.example.org'] }));
    expect(loadConfig({ env: { COBROWSE_CONFIG: file }, cwd: dir }).crmOrigins).toEqual(['https://desk.example.org']);
    for (const bad of ['*', 'https://*.example.com', 'https://crm.example.com/app', 'crm.example.com', 'ftp://crm.example.com']) {
      expect(() => loadConfig({ env: { COBROWSE_CRM_ORIGINS: bad }, cwd: dir })).toThrow(/COBROWSE_CRM_ORIGINS: .* is not an origin/);
    }
  });

  it('applies groups with settings from the config file', () => {
    const file = parseConfigFile(
      {
        groups: [
          {
            id: '10000',
            name: 'Demo',
            settings: { staging: { maskedSelectors: ['#account-number'] } },
          },
        ],
      },
      'c.json',
    );
    expect(file.groups).toEqual([
      {
        id: '10000',
        name: 'Demo',
        settings: { staging: { maskedSelectors: ['#account-number'] } },
      },
    ]);
  });

  it.each([
    [{ groups: [{ id: '123', name: 'x' }] }, 'c.json: groups[0].id: must be 4 to 6 digits'],
    [
      { groups: [{ id: '10000', name: 'Demo', settings: { staging: { maskedSelectors: [1] } } }] },
      'c.json: groups[0].settings.staging.maskedSelectors[0]:',
    ],
    [
      { groups: [{ id: '10000', name: 'Demo', nmae: 'x' }] },
      'c.json: groups[0].nmae: unknown option "nmae"',
    ],
    [{ prot: 8080 }, 'c.json: prot: unknown option "prot"'],
    [{ relay: { maxDeltaBytes: -1 } }, 'c.json: relay.maxDeltaBytes:'],
    [
      {
        groups: [
          { id: '10000', name: 'a' },
          { id: '10000', name: 'b' },
        ],
      },
      'c.json: groups: group ids must be unique',
    ],
    [
      {
        groups: [
          { id: '10000', name: 'a', settings: { staging: { trustedDomains: ['https://x.com/'] } } },
        ],
      },
      'must be a host like',
    ],
  ])('refuses a bad config file with the field named: %j', (json, message) => {
    expect(() => parseConfigFile(json, 'c.json')).toThrow(ConfigError);
    expect(() => parseConfigFile(json, 'c.json')).toThrow(message);
  });

  it('refuses a config file that is not JSON', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{ port: 1 }');
    expect(() => loadConfig({ env: {}, flags: { config: file }, cwd: dir })).toThrow(
      /bad\.json is not valid JSON/,
    );
  });
});
