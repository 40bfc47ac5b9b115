/**
 * The message over the stage: a centred card while there is no page to show (connecting,
 * waiting, ended before anything arrived), a banner across the top of the mirror when
 * there is one (visitor away, connection lost, session ended). The toolbar's live region
 * already announces status changes, so the notice is not a live region itself.
 */
import type { FinalAction, Tone } from './status-text.js';

/** What the notice shows; null hides it. */
export interface NoticeContent {
  title: string;
  detail: string;
  tone: Tone;
  /** Card over an empty stage, or banner over the mirror. */
  placement: 'card' | 'banner';
  action: FinalAction;
}

/** The stage's notice. */
export class Notice {
  /** The notice element. */
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly button: HTMLButtonElement;
  private action: FinalAction = null;

  constructor(stage: HTMLElement, run: (action: Exclude<FinalAction, null>) => void) {
    const doc = stage.ownerDocument;
    this.element = doc.createElement('div');
    this.element.className = 'oc-notice';
    this.element.hidden = true;
    this.title = doc.createElement('p');
    this.title.className = 'oc-notice-title';
    this.detail = doc.createElement('p');
    this.detail.className = 'oc-notice-detail';
    this.button = doc.createElement('button');
    this.button.type = 'button';
    this.button.className = 'oc-button oc-button--primary';
    this.button.hidden = true;
    this.button.addEventListener('click', () => {
      if (this.action) run(this.action);
    });
    this.element.append(this.title, this.detail, this.button);
    stage.append(this.element);
  }

  /** Shows (or with null hides) the notice. */
  show(content: NoticeContent | null): void {
    if (!content) {
      this.element.hidden = true;
      return;
    }
    this.element.hidden = false;
    this.element.dataset['placement'] = content.placement;
    this.element.dataset['tone'] = content.tone;
    this.title.textContent = content.title;
    this.detail.textContent = content.detail;
    this.detail.hidden = !content.detail;
    const hadAction = this.action;
    this.action = content.action;
    this.button.hidden = content.action === null;
    this.button.textContent = content.action === 'sign-in' ? 'Sign in again' : 'Reload';
    // Move focus to a newly offered action, so a keyboard user reaches it at once.
    if (content.action && hadAction !== content.action) this.button.focus({ preventScroll: true });
  }
}
