import { describe, expect, it } from 'vitest';
import { checkNavigation } from '../../src/visitor/remote/navigation.js';
import { hostMatches } from '../../src/shared/trusted-domains.js';

const PAGE = 'https://shop.example.com/account/orders?x=1';

describe('[NV3] the visitor checks navigation targets again', () => {
  it('history keywords and their one-letter forms', () => {
    expect(checkNavigation('back', PAGE, [])).toEqual({ ok: true, kind: 'history', step: 'back' });
    expect(checkNavigation(' Forward ', PAGE, [])).toEqual({ ok: true, kind: 'history', step: 'forward' });
    expect(checkNavigation('r', PAGE, [])).toEqual({ ok: true, kind: 'history', step: 'refresh' });
    expect(checkNavigation('b', PAGE, [])).toEqual({ ok: true, kind: 'history', step: 'back' });
  });

  it('relative URLs resolve against the page; the page\'s own host is always allowed', () => {
    expect(checkNavigation('../cart', PAGE, [])).toEqual({ ok: true, kind: 'url', url: 'https://shop.example.com/cart' });
    expect(checkNavigation('/help#faq', PAGE, [])).toEqual({ ok: true, kind: 'url', url: 'https://shop.example.com/help#faq' });
    expect(checkNavigation('http://shop.example.com/x', PAGE, [])).toEqual({ ok: true, kind: 'url', url: 'http://shop.example.com/x' });
  });

  it('other hosts only when trusted, with *.domain matching the domain and its subdomains', () => {
    expect(checkNavigation('https://help.example.com/faq', PAGE, ['help.example.com'])).toMatchObject({ ok: true });
    expect(checkNavigation('https://a.b.example.com/', PAGE, ['*.example.com'])).toMatchObject({ ok: true });
    expect(checkNavigation('https://example.com/', PAGE, ['*.example.com'])).toMatchObject({ ok: true });
    expect(checkNavigation('https://evilexample.com/', PAGE, ['*.example.com'])).toEqual({ ok: false, reason: 'evilexample.com is not this site or a trusted domain' });
    expect(checkNavigation('https://phish.example.net/login', PAGE, ['help.example.com'])).toMatchObject({ ok: false });
    expect(hostMatches('Help.Example.com', 'https://help.example.com:8443/')).toBe(true);
    expect(hostMatches('x.com', '')).toBe(false);
  });

  it('refuses other schemes and credentials in the URL', () => {
    expect(checkNavigation('javascript:alert(1)', PAGE, [])).toEqual({ ok: false, reason: 'scheme javascript: is not allowed' });
    expect(checkNavigation('data:text/html,hi', PAGE, [])).toMatchObject({ ok: false });
    expect(checkNavigation('https://user:pw@shop.example.com/', PAGE, [])).toEqual({ ok: false, reason: 'credentials in the URL are not allowed' });
    expect(checkNavigation('http://[::1', PAGE, [])).toEqual({ ok: false, reason: 'not a URL' });
  });
});
