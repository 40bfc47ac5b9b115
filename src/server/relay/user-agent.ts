/**
 * A short description of the visitor's browser from its User-Agent header, for the
 * agent's `navigate` event (`{name, version, platform}`). Best effort: unknown parts are
 * "unknown"; nothing here is trusted for security.
 */
import type { BrowserInfo } from '../../shared/protocol/control.js';

const BROWSERS: ReadonlyArray<[name: string, pattern: RegExp]> = [
  ['Edge', /Edg(?:e|A|iOS)?\/([\d.]+)/],
  ['Opera', /OPR\/([\d.]+)/],
  ['Samsung Internet', /SamsungBrowser\/([\d.]+)/],
  ['Firefox', /(?:Firefox|FxiOS)\/([\d.]+)/],
  ['Chrome', /(?:Chrome|CriOS|HeadlessChrome)\/([\d.]+)/],
  ['Safari', /Version\/([\d.]+).*Safari\//],
];

const PLATFORMS: ReadonlyArray<[name: string, pattern: RegExp]> = [
  ['Android', /Android/],
  ['iOS', /iPhone|iPad|iPod/],
  ['Windows', /Windows/],
  ['macOS', /Mac OS X|Macintosh/],
  ['ChromeOS', /CrOS/],
  ['Linux', /Linux/],
];

/** Parses a User-Agent header. */
export function describeBrowser(userAgent: string | undefined): BrowserInfo {
  const ua = userAgent ?? '';
  let name = 'unknown';
  let version = 'unknown';
  for (const [browser, pattern] of BROWSERS) {
    const match = pattern.exec(ua);
    if (match) {
      name = browser;
      version = match[1] ?? 'unknown';
      break;
    }
  }
  const platform = PLATFORMS.find(([, pattern]) => pattern.test(ua))?.[0] ?? 'unknown';
  return { name, version, platform };
}
