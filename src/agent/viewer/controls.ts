/**
 * The session controls in the viewer's toolbar ([RC1]–[RC4], [NV1]–[NV2]): remote control
 * (request, waiting for the visitor, release), the visitor's history (back, forward,
 * reload) and leaving the session. Real `<button>`s with names a screen reader reads; the
 * remote-control state is also said in words next to the button.
 */

/** What the buttons do. */
export interface ControlActions {
  requestControl(): void;
  releaseControl(): void;
  navigate(keyword: 'back' | 'forward' | 'refresh'): void;
  leave(): void;
}

/** Where remote control stands for this agent. */
export type ControlState =
  /** Off; the agent may ask. */
  | 'off'
  /** Asked; the visitor has not answered yet. */
  | 'asking'
  /** Granted. */
  | 'on'
  /** Granted, but the visitor is using their own mouse or keyboard. */
  | 'suspended';

/** How long the request button waits for the visitor before it can be pressed again, ms. */
export const ASK_TIMEOUT_MS = 30_000;

/** The toolbar's session controls. */
export class SessionControls {
  /** The group of controls. */
  readonly element: HTMLElement;
  private readonly controlButton: HTMLButtonElement;
  private readonly controlNote: HTMLElement;
  private readonly navButtons: HTMLButtonElement[];
  private readonly leaveButton: HTMLButtonElement;
  private state: ControlState = 'off';
  private enabled = false;

  constructor(parent: HTMLElement, private readonly actions: ControlActions) {
    const doc = parent.ownerDocument;
    const button = (className: string, text: string, label?: string) => {
      const node = doc.createElement('button');
      node.type = 'button';
      node.className = `oc-button ${className}`;
      node.textContent = text;
      if (label) {
        node.setAttribute('aria-label', label);
        node.title = label;
      }
      return node;
    };
    this.element = doc.createElement('div');
    this.element.className = 'oc-field oc-controls';
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Session controls');

    this.controlButton = button('oc-control-button', 'Request control');
    this.controlButton.addEventListener('click', () => {
      if (this.state === 'on' || this.state === 'suspended') this.actions.releaseControl();
      else if (this.state === 'off') this.actions.requestControl();
    });
    this.controlNote = doc.createElement('span');
    this.controlNote.className = 'oc-control-note';
    this.controlNote.hidden = true;

    const nav = doc.createElement('span');
    nav.className = 'oc-nav';
    const back = button('oc-nav-back', '←', 'Back: the visitor’s previous page');
    const forward = button('oc-nav-forward', '→', 'Forward: the visitor’s next page');
    const reload = button('oc-nav-reload', '⟳', 'Reload the visitor’s page');
    back.addEventListener('click', () => this.actions.navigate('back'));
    forward.addEventListener('click', () => this.actions.navigate('forward'));
    reload.addEventListener('click', () => this.actions.navigate('refresh'));
    nav.append(back, forward, reload);
    this.navButtons = [back, forward, reload];

    this.leaveButton = button('oc-leave-button', 'Leave');
    this.leaveButton.title = 'Leave the session (the visitor’s session goes on)';
    this.leaveButton.addEventListener('click', () => this.actions.leave());

    this.element.append(this.controlButton, this.controlNote, nav, this.leaveButton);
    parent.append(this.element);
    this.render();
  }

  /** The remote-control state to show. */
  setControl(state: ControlState): void {
    if (state === this.state) return;
    this.state = state;
    this.render();
  }

  /** Whether the session is live (buttons usable) — false while waiting, away or over. */
  setEnabled(enabled: boolean, canLeave: boolean): void {
    this.enabled = enabled;
    this.leaveButton.disabled = !canLeave;
    this.render();
  }

  private render(): void {
    const { state } = this;
    const text: Record<ControlState, string> = {
      off: 'Request control',
      asking: 'Waiting for the visitor…',
      on: 'Release control',
      suspended: 'Release control',
    };
    setText(this.controlButton, text[state]);
    this.controlButton.disabled = !this.enabled || state === 'asking';
    this.controlButton.dataset['state'] = state;
    const note =
      state === 'on'
        ? 'You are in control'
        : state === 'suspended'
          ? 'Paused: the visitor is using their mouse or keyboard'
          : state === 'asking'
            ? 'Asked the visitor for control'
            : '';
    setText(this.controlNote, note);
    this.controlNote.hidden = !note;
    this.controlNote.dataset['state'] = state;
    for (const nav of this.navButtons) nav.disabled = !this.enabled;
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
