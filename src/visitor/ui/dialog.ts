/**
 * Modal dialogs of the default visitor UI: the terms dialog and the yes/no prompts
 * (remote control, navigation, ending the session). Keyboard first: focus moves into the
 * dialog, Tab cycles inside it, Escape answers "no", and focus returns where it was.
 * One dialog shows at a time; later ones wait their turn.
 */
import type { Layer } from './layer.js';

/** One button of a dialog; `primary` is focused first. */
export interface DialogButton {
  label: string;
  primary?: boolean;
  /** What the button does; the dialog closes first. */
  run(): void;
}

/** What a dialog shows. */
export interface DialogSpec {
  /** `alertdialog` for prompts that need an answer, `dialog` for the terms. */
  role: 'dialog' | 'alertdialog';
  title: string;
  text: string;
  /** A link under the text (the terms). */
  link?: { href: string; label: string };
  buttons: DialogButton[];
  /** Run by Escape (usually the "no" button's action). */
  cancel(): void;
  /** A class on the dialog, so tests and sites' custom CSS can tell dialogs apart. */
  kind: string;
}

/** Shows dialogs one at a time. */
export class Dialogs {
  private readonly queue: DialogSpec[] = [];
  private open: { spec: DialogSpec; backdrop: HTMLElement; returnFocus: Element | null } | null = null;
  private counter = 0;

  constructor(
    private readonly layer: Layer,
    private readonly container: () => HTMLElement,
  ) {}

  /** Shows a dialog now, or after the ones already showing. */
  show(spec: DialogSpec): void {
    this.queue.push(spec);
    if (!this.open) this.next();
  }

  /** Closes every dialog of a kind without answering (e.g. prompts of a session that ended). */
  dismiss(kind: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.kind === kind) this.queue.splice(i, 1);
    if (this.open?.spec.kind === kind) this.close();
  }

  private next(): void {
    const spec = this.queue.shift();
    if (!spec) return;
    const doc = this.layer.host.ownerDocument;
    this.layer.mount();
    const id = `oc-dialog-${++this.counter}`;
    const backdrop = this.layer.create('div', 'oc-backdrop', this.container());
    const dialog = this.layer.create('div', `oc-dialog oc-${spec.kind}`, backdrop);
    dialog.setAttribute('role', spec.role);
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', `${id}-title`);
    dialog.setAttribute('aria-describedby', `${id}-text`);
    const title = this.layer.create('h2', '', dialog);
    title.id = `${id}-title`;
    title.textContent = spec.title;
    const text = this.layer.create('p', '', dialog);
    text.id = `${id}-text`;
    text.textContent = spec.text;
    if (spec.link) {
      const p = this.layer.create('p', '', dialog);
      const a = this.layer.create('a', '', p);
      a.href = spec.link.href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = spec.link.label;
    }
    const actions = this.layer.create('div', 'oc-actions', dialog);
    let first: HTMLButtonElement | null = null;
    for (const button of spec.buttons) {
      const el = this.layer.create('button', button.primary ? 'oc-primary' : '', actions);
      el.type = 'button';
      el.textContent = button.label;
      el.addEventListener('click', () => this.answer(button.run));
      if (button.primary || !first) first = el;
    }
    dialog.addEventListener('keydown', (event) => this.onKey(event, dialog, spec));
    this.open = { spec, backdrop, returnFocus: deepActive(doc) };
    first?.focus();
  }

  private answer(run: () => void): void {
    this.close();
    run();
  }

  private close(): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    open.backdrop.remove();
    const back = open.returnFocus as HTMLElement | null;
    if (back?.isConnected && typeof back.focus === 'function') back.focus({ preventScroll: true });
    this.next();
  }

  private onKey(event: KeyboardEvent, dialog: HTMLElement, spec: DialogSpec): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.answer(spec.cancel);
      return;
    }
    if (event.key !== 'Tab') return;
    // Keep focus inside the dialog: the page behind it is out of reach while it is open.
    const focusable = Array.from(dialog.querySelectorAll<HTMLElement>('button,a[href]'));
    if (focusable.length === 0) return;
    const active = this.layer.root.activeElement;
    const at = focusable.indexOf(active as HTMLElement);
    const next = event.shiftKey ? (at <= 0 ? focusable.length - 1 : at - 1) : at === focusable.length - 1 ? 0 : at + 1;
    event.preventDefault();
    focusable[next]!.focus();
  }
}

/** The focused element, through shadow roots (ours included). */
function deepActive(doc: Document): Element | null {
  let active = doc.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}
