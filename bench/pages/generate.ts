/**
 * A deterministic generator of large pages for the benchmarks.
 *
 * The pages have the element mix our yardstick figures were taken on: a header with a
 * navigation bar, then columns of groups of "cards" — each a section with a heading, a
 * paragraph of text with a link and inline tags, often a list, sometimes a small table,
 * and a row of controls (button, sometimes an input or an image) — plus one stylesheet of
 * class rules, inline styles on some cards and `data-*` attributes. The same seed and
 * size give the same bytes on every machine, so a result can be reproduced.
 */

/** Options of `generatePage`. */
export interface PageOptions {
  /** Elements wanted inside `<body>`; the page stops at the first card boundary past it. */
  elements: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Markup put at the end of `<head>` (e.g. the cobrowse script tag). Default none. */
  head?: string;
  /** Markup put at the start of `<body>` (e.g. a probe element). Default none. */
  bodyStart?: string;
}

/** A generated page. */
export interface GeneratedPage {
  html: string;
  /** Elements written inside `<body>` (the page's own count; the browser may add none). */
  elements: number;
}

/** Small, fast, seedable PRNG (sfc32, seeded through splitmix32); returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

const VOCABULARY = (
  'account balance bill cart checkout customer delivery discount invoice item limit order ' +
  'payment plan policy price product profile quote refund region return review service ' +
  'status summary support total transfer update usage address contact history message ' +
  'notice option report request ticket upgrade in on at by to of for new fee tax day due ' +
  'id pin key next last open paid sent subscription preference transaction warranty schedule'
).split(' ');

const INPUT_TYPES = ['text', 'email', 'checkbox', 'number'] as const;
const KINDS = ['a', 'b', 'c'] as const;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** Writes markup and counts the elements it opens. */
class Markup {
  readonly parts: string[] = [];
  elements = 0;

  open(tag: string, attributes = ''): void {
    this.elements++;
    this.parts.push(`<${tag}${attributes}>`);
  }

  close(tag: string): void {
    this.parts.push(`</${tag}>`);
  }

  /** An element with text content only. */
  leaf(tag: string, attributes: string, text: string): void {
    this.elements++;
    this.parts.push(`<${tag}${attributes}>${text}</${tag}>`);
  }

  /** A void element (no end tag). */
  empty(tag: string, attributes: string): void {
    this.elements++;
    this.parts.push(`<${tag}${attributes}>`);
  }

  text(text: string): void {
    this.parts.push(text);
  }
}

/** Draws the page's content from the PRNG. */
class Content {
  constructor(private readonly random: () => number) {}

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  choose<T>(options: readonly T[]): T {
    return options[Math.floor(this.random() * options.length)]!;
  }

  /** `min`–`max` words, escaped for HTML. */
  words(min: number, max: number): string {
    const count = this.between(min, max);
    const words: string[] = [];
    for (let i = 0; i < count; i++) words.push(this.choose(VOCABULARY));
    return escapeHtml(words.join(' '));
  }

  colour(): string {
    return this.between(0, 0xffffff).toString(16).padStart(6, '0');
  }
}

function writeCard(out: Markup, content: Content, index: number): void {
  const style = content.chance(0.2) ? ` style="border-color:#${content.colour()};padding:${content.between(2, 12)}px"` : '';
  out.open('section', ` class="card card-${index % 7}" id="card-${index}" data-kind="${content.choose(KINDS)}"${style}`);
  out.leaf('h2', ' class="card-title"', content.words(2, 6));

  out.open('p', ' class="body"');
  out.text(content.words(5, 30) + ' ');
  out.leaf('a', ` href="/item/${index}" title="${content.words(1, 3)}"`, content.words(1, 4));
  out.text(' ' + content.words(3, 15) + ' ');
  out.leaf('span', ` class="tag t${index % 5}"`, content.words(1, 2));
  out.leaf('strong', '', content.words(1, 3));
  out.close('p');

  if (content.chance(0.7)) {
    out.open('ul', ' class="list"');
    const items = content.between(1, 5);
    for (let i = 0; i < items; i++) out.leaf('li', ` data-i="${i}"`, content.words(1, 8));
    out.close('ul');
  }

  if (content.chance(0.4)) {
    out.open('table', ' class="grid"');
    out.open('tbody');
    const rows = content.between(1, 3);
    for (let r = 0; r < rows; r++) {
      out.open('tr');
      for (let c = 0; c < 3; c++) out.leaf('td', '', content.words(1, 3));
      out.close('tr');
    }
    out.close('tbody');
    out.close('table');
  }

  out.open('div', ' class="row actions"');
  if (content.chance(0.5)) {
    out.empty('input', ` type="${content.choose(INPUT_TYPES)}" name="f${index}" value="${content.words(1, 2)}"`);
  }
  out.leaf('button', ` type="button" class="btn" aria-label="action ${index}"`, content.words(1, 2));
  if (content.chance(0.3)) out.empty('img', ` src="/i.gif" alt="${content.words(1, 3)}" width="16" height="16"`);
  out.leaf('small', ' class="meta"', content.words(2, 5));
  out.close('div');

  out.close('section');
}

function stylesheet(): string {
  const rules: string[] = ['body{font:14px/1.4 sans-serif;margin:0}'];
  for (let i = 0; i < 7; i++) rules.push(`.card-${i}{margin:${i}px;border:1px solid #ccc;border-radius:${i}px}`);
  for (let i = 0; i < 5; i++) rules.push(`.t${i}{color:hsl(${i * 60},60%,40%);font-weight:${i % 2 ? 700 : 400}}`);
  rules.push(
    '.col{display:inline-block;vertical-align:top;width:300px}',
    '.grid td{border:1px solid #eee;padding:2px}',
    '.btn:hover{background:#def}',
    '.row{display:flex;gap:4px}',
    '@media (max-width:600px){.col{width:100%}}',
  );
  return rules.join('\n');
}

/** Generates a page of about `options.elements` elements; same options, same bytes. */
export function generatePage(options: PageOptions): GeneratedPage {
  const content = new Content(seededRandom(options.seed ?? 1));
  const out = new Markup();

  out.open('header', ' class="top"');
  out.leaf('h1', '', 'Large page benchmark');
  out.open('nav');
  for (let i = 0; i < 8; i++) out.leaf('a', ` href="/nav/${i}"`, content.words(1, 2));
  out.close('nav');
  out.close('header');

  out.open('main', ' id="main"');
  let cards = 0;
  while (out.elements < options.elements) {
    out.open('div', ' class="col"');
    const groups = content.between(2, 4);
    for (let g = 0; g < groups && out.elements < options.elements; g++) {
      out.open('div', ` class="group g${g}"`);
      const perGroup = content.between(3, 8);
      for (let c = 0; c < perGroup && out.elements < options.elements; c++) writeCard(out, content, cards++);
      out.close('div');
    }
    out.close('div');
  }
  out.close('main');
  out.leaf('footer', '', content.words(5, 10));

  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Benchmark page, ${options.elements} elements</title>` +
    `<link rel="icon" href="data:,"><style>${stylesheet()}</style>${options.head ?? ''}</head>` +
    `<body>${options.bodyStart ?? ''}${out.parts.join('')}</body></html>`;
  return { html, elements: out.elements };
}
