/**
 * Short messages for the agent that need no decision: what the server refused and why
 * ([RC1], [RC5], [NV2]: `denied`), the visitor declining remote control, a paste that
 * could not read the clipboard, an Agent API call that failed. One at a time, in an
 * assertive live region so a screen reader says it at once; it goes by itself after a
 * while or with its close button.
 */

/** How long a message stays, ms. */
export const ALERT_MS = 10_000;

/** The viewer's alert line. */
export class Alerts {
  /** The alert element. */
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(parent: HTMLElement) {
    const doc = parent.ownerDocument;
    this.element = doc.createElement('div');
    this.element.className = 'oc-alert';
    this.element.hidden = true;
    // The live region stays in the page (hidden content is not announced; changes to it are).
    const region = doc.createElement('div');
    region.setAttribute('role', 'alert');
    this.text = doc.createElement('p');
    this.text.className = 'oc-alert-text';
    region.append(this.text);
    const close = doc.createElement('button');
    close.type = 'button';
    close.className = 'oc-button oc-alert-close';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => this.clear());
    this.element.append(region, close);
    parent.append(this.element);
  }

  /** The message shown, or null. */
  get current(): string | null {
    return this.element.hidden ? null : this.text.textContent;
  }

  /** Shows `message` (replacing the one shown). */
  show(message: string): void {
    this.element.hidden = false;
    this.text.textContent = message;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), ALERT_MS);
  }

  /** Hides the message. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.element.hidden = true;
    this.text.textContent = '';
  }
}

/** What the agent reads when the server refused an action. */
export function deniedText(action: string, reason: string): string {
  const what: Record<string, string> = {
    rcrequested: 'Remote control was refused',
    rcevent: 'That action was not carried out',
    navigate: 'Navigation was refused',
    screenshare: 'Screen sharing was refused',
  };
  return `${what[action] ?? 'Not allowed'}: ${reason}.`;
}
