/**
 * Fits the visitor's viewport into the agent's window ([VW5] in SPEC.md).
 *
 * The mirror iframe keeps the visitor's exact viewport size (the Mirror sets its width and
 * height attributes), so the page lays out as the visitor sees it: same breakpoints, same
 * line wraps. A CSS transform then scales the surface holding it down to the space the
 * stage offers — never above 100%, which would only blur — and a box of the scaled size
 * keeps it centred. "Actual size" shows it at 100% with scrollbars instead.
 *
 *   stage (fills the window below the toolbar; scrolls in actual-size mode)
 *   └ box (the scaled size, centred; holds the pointer layer in agent pixels)
 *     ├ surface (the visitor's size, transform: scale(s)) ← the Mirror's container
 *     └ overlay (pointer)
 */

/** Fit the stage (default) or show the visitor's pixels one to one. */
export type FitMode = 'fit' | 'actual';

/** The geometry after a layout pass. */
export interface LayoutInfo {
  /** The visitor's viewport, CSS pixels (0 × 0 before the first keyframe). */
  width: number;
  height: number;
  /** Agent pixels per visitor pixel, at most 1. */
  scale: number;
  mode: FitMode;
}

/** Pixels per line for wheel events that count lines (Firefox). */
const LINE_PIXELS = 16;

/** Smallest scale used, so a tiny window still shows something rather than nothing. */
const MIN_SCALE = 0.05;

/** The stage and the scaled surface the mirror lives in. */
export class MirrorLayout {
  /** The area below the toolbar. */
  readonly stage: HTMLElement;
  /** The box of the scaled size, centred in the stage. */
  readonly box: HTMLElement;
  /** The visitor-sized, scaled element: give it to the Mirror as its container. */
  readonly surface: HTMLElement;
  /** A layer over the surface in agent pixels, for the pointer. */
  readonly overlay: HTMLElement;
  private readonly observer: ResizeObserver;
  private readonly onChange: (info: LayoutInfo) => void;
  private info: LayoutInfo = { width: 0, height: 0, scale: 1, mode: 'fit' };

  constructor(parent: HTMLElement, onChange: (info: LayoutInfo) => void) {
    this.onChange = onChange;
    const doc = parent.ownerDocument;
    this.stage = doc.createElement('main');
    this.stage.className = 'oc-stage';
    this.stage.setAttribute('aria-label', 'Visitor’s page');
    this.box = doc.createElement('div');
    this.box.className = 'oc-box';
    this.box.hidden = true;
    this.surface = doc.createElement('div');
    this.surface.className = 'oc-surface';
    this.overlay = doc.createElement('div');
    this.overlay.className = 'oc-overlay';
    this.box.append(this.surface, this.overlay);
    this.stage.append(this.box);
    parent.append(this.stage);
    // Covers window resizes and the toolbar wrapping onto another line alike.
    this.observer = new ResizeObserver(() => this.layout());
    this.observer.observe(this.stage);
  }

  /** The current geometry. */
  get current(): Readonly<LayoutInfo> {
    return this.info;
  }

  /** The visitor's viewport changed. */
  setViewport(width: number, height: number): void {
    if (width === this.info.width && height === this.info.height) return;
    this.info = { ...this.info, width, height };
    this.layout();
  }

  /** Switches between fitting and actual size. */
  setMode(mode: FitMode): void {
    if (mode === this.info.mode) return;
    this.info = { ...this.info, mode };
    this.stage.classList.toggle('oc-stage--actual', mode === 'actual');
    // A scrolling region must be reachable with the keyboard (arrow keys scroll it).
    if (mode === 'actual') this.stage.tabIndex = 0;
    else this.stage.removeAttribute('tabindex');
    this.layout();
  }

  /**
   * Scrolls the stage at actual size by a wheel over the mirror. The mirror swallows wheel
   * events so it never scrolls on its own ([VW4]); without this the agent could only reach
   * the rest of a large page through the scrollbars. (Under remote control the wheel
   * scrolls the visitor's page instead: input.ts.)
   */
  wheelStage(event: WheelEvent): void {
    if (this.info.mode !== 'actual') return;
    const unit = event.deltaMode === 1 ? LINE_PIXELS : event.deltaMode === 2 ? this.stage.clientHeight : 1;
    this.stage.scrollBy(event.deltaX * unit, event.deltaY * unit);
  }

  /** Stops observing the stage. */
  destroy(): void {
    this.observer.disconnect();
  }

  private layout(): void {
    const { width, height, mode } = this.info;
    if (width <= 0 || height <= 0) {
      this.box.hidden = true;
      this.onChange(this.info);
      return;
    }
    let scale = 1;
    if (mode === 'fit') {
      const style = getComputedStyle(this.stage);
      const availableWidth = this.stage.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const availableHeight = this.stage.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      scale = Math.max(MIN_SCALE, Math.min(1, availableWidth / width, availableHeight / height));
    }
    // Floor the box so rounding never makes the stage overflow by a pixel (and scroll).
    this.box.style.width = `${Math.floor(width * scale)}px`;
    this.box.style.height = `${Math.floor(height * scale)}px`;
    this.surface.style.width = `${width}px`;
    this.surface.style.height = `${height}px`;
    this.surface.style.transform = scale === 1 ? '' : `scale(${scale})`;
    this.box.hidden = false;
    this.info = { ...this.info, scale };
    this.onChange(this.info);
  }
}

/** "1280 × 800 · 75%": the visitor's viewport and the scale it is shown at. */
export function formatGeometry(info: LayoutInfo): string {
  if (info.width <= 0 || info.height <= 0) return '';
  return `${info.width} × ${info.height} · ${Math.round(info.scale * 100)}%`;
}
