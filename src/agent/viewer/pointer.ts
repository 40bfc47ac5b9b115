/**
 * The visitor's mouse pointer drawn over the mirror ([PS9], [VW5] in SPEC.md).
 *
 * The visitor sends its pointer in viewport coordinates, at most every 40 ms, and (-1, -1)
 * when it leaves the page. The overlay lives in agent pixels (outside the scaled surface)
 * so the arrow keeps its size at any scale; its position is the visitor's × the scale.
 * A short linear transition bridges the 40 ms steps, unless the agent prefers reduced motion.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** A classic arrow cursor, tip at (1, 1), in a 20 × 24 box. */
const ARROW_PATH = 'M1 1 L1 18.5 L5.6 14.3 L8.6 21.4 L11.8 20 L8.8 13 L15 13 Z';

/** The overlay cursor. */
export class PointerOverlay {
  /** The cursor element (arrow and label). */
  readonly element: HTMLElement;
  private x = -1;
  private y = -1;
  private scale = 1;
  private allowed = false;

  constructor(layer: HTMLElement) {
    const doc = layer.ownerDocument;
    this.element = doc.createElement('div');
    this.element.className = 'oc-pointer';
    // Decorative for screen readers: it moves many times a second and says nothing new.
    this.element.setAttribute('aria-hidden', 'true');
    this.element.hidden = true;
    const svg = doc.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'oc-pointer-arrow');
    svg.setAttribute('width', '20');
    svg.setAttribute('height', '24');
    svg.setAttribute('viewBox', '0 0 20 24');
    const path = doc.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ARROW_PATH);
    svg.append(path);
    const label = doc.createElement('span');
    label.className = 'oc-pointer-label';
    label.textContent = 'Visitor';
    this.element.append(svg, label);
    layer.append(this.element);
  }

  /** The visitor's pointer moved (viewport CSS pixels); negative means off the page. */
  move(x: number, y: number): void {
    this.x = x;
    this.y = y;
    this.render();
  }

  /** The mirror's scale changed. */
  setScale(scale: number): void {
    this.scale = scale;
    this.render();
  }

  /** Whether the pointer may show at all (not while the visitor is away or the session is over). */
  setAllowed(allowed: boolean): void {
    this.allowed = allowed;
    this.render();
  }

  /** Whether the cursor is currently shown. */
  get visible(): boolean {
    return !this.element.hidden;
  }

  private render(): void {
    const show = this.allowed && this.x >= 0 && this.y >= 0 && Number.isFinite(this.x) && Number.isFinite(this.y);
    this.element.hidden = !show;
    if (!show) return;
    // The arrow's tip sits 1 px into its box.
    this.element.style.transform = `translate(${this.x * this.scale - 1}px, ${this.y * this.scale - 1}px)`;
  }
}
