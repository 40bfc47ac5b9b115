/**
 * The mutation burst: 1,000 changes made by the page in one task — 250 text edits,
 * 250 attribute sets, 250 appended subtrees and 250 removals — chosen from the page by a
 * seeded PRNG, so ours and rrweb face exactly the same changes on the same page.
 *
 * Targets are chosen and new subtrees built before the clock starts; the four sets are
 * disjoint (nothing edited is removed), so every change reaches the output.
 */
import { seededRandom } from '../pages/generate.js';

/** Changes of each kind in a burst. */
export const BURST_EACH = 250;

/** A burst, ready to apply. */
export interface BurstPlan {
  texts: Text[];
  attributes: Element[];
  parents: Element[];
  subtrees: Element[];
  removals: Element[];
  /** Changes the plan makes (4 × 250 unless the page is too small). */
  count: number;
}

/** Elements whose text is code or inert: never edited or appended to. */
const OPAQUE = new Set(['script', 'style', 'noscript', 'template', 'textarea', 'title', 'head', 'html']);

/** Picks `count` distinct items from `items` (partial Fisher–Yates on a copy). */
function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const copy = items.slice();
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/** A small subtree fitting under `parent` (a table row under a table body, …). */
function subtreeFor(doc: Document, parent: Element, index: number): Element {
  const element = (tag: string, text?: string) => {
    const node = doc.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const name = parent.localName;
  if (name === 'tbody' || name === 'thead' || name === 'table') {
    const row = element('tr');
    row.className = 'bench-added';
    for (let c = 0; c < 3; c++) row.appendChild(element('td', `added ${index}.${c}`));
    return row;
  }
  if (name === 'tr') return element('td', `added ${index}`);
  if (name === 'ul' || name === 'ol') {
    const item = element('li');
    item.className = 'bench-added';
    item.append(element('span', `added ${index}`), ` item ${index}`);
    return item;
  }
  const box = element('div');
  box.className = 'bench-added';
  const link = element('a', `link ${index}`);
  link.setAttribute('href', `/added/${index}`);
  box.append(element('span', `added ${index}`), ' ', link);
  return box;
}

/** Chooses the burst's targets on `doc` and builds its new subtrees. */
export function planBurst(doc: Document, seed: number): BurstPlan {
  const random = seededRandom(seed);
  const body = doc.body;
  const elements = Array.from(body.getElementsByTagName('*')).filter((element) => !OPAQUE.has(element.localName));
  const leaves = elements.filter((element) => element.firstElementChild === null);
  const removals = sample(leaves, BURST_EACH, random);
  const removed = new Set<Element>(removals);

  const alive = elements.filter((element) => !removed.has(element));
  const attributes = sample(alive, BURST_EACH, random);
  const containers = alive.filter((element) => element.firstElementChild !== null);
  const parents = sample(containers, BURST_EACH, random);
  const subtrees = parents.map((parent, i) => subtreeFor(doc, parent, i));

  const textNodes: Text[] = [];
  const walker = doc.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || removed.has(parent) || OPAQUE.has(parent.localName)) continue;
    if ((node as Text).data.trim() !== '') textNodes.push(node as Text);
  }
  const texts = sample(textNodes, BURST_EACH, random);
  return {
    texts,
    attributes,
    parents,
    subtrees,
    removals,
    count: texts.length + attributes.length + subtrees.length + removals.length,
  };
}

/** Applies the burst, the four kinds interleaved, in the caller's task. */
export function applyBurst(plan: BurstPlan): void {
  const rounds = Math.max(plan.texts.length, plan.attributes.length, plan.subtrees.length, plan.removals.length);
  for (let i = 0; i < rounds; i++) {
    const text = plan.texts[i];
    if (text) text.data = `edited ${i} ${text.data.length}`;
    const element = plan.attributes[i];
    if (element) {
      // Half class changes (what UI frameworks do most), half data attributes.
      if (i % 2 === 0) element.setAttribute('class', `${element.getAttribute('class') ?? ''} bench-hot`.trim());
      else element.setAttribute('data-bench', `state-${i}`);
    }
    const subtree = plan.subtrees[i];
    if (subtree) plan.parents[i]!.appendChild(subtree);
    plan.removals[i]?.remove();
  }
}
