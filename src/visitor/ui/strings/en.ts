/**
 * English texts of the visitor UI and of what the engine announces to screen readers.
 * Every other language file has the same keys (the `Strings` type checks it).
 * `{name}`-style placeholders are filled by `format()` (i18n.ts).
 */
export const en = {
  /** The floating start button. */
  button: 'Browse with an agent',
  buttonLabel: 'Start a co-browsing session with an agent',
  termsTitle: 'Mind if I browse with you?',
  termsText:
    'An agent will see this browser tab and may point at things on the page. They will not see other tabs or applications, or the fields this site hides from them. You can end the session at any time.',
  termsLink: 'Terms and conditions',
  accept: 'Accept',
  decline: 'Decline',
  yes: 'Yes',
  no: 'No',
  close: 'Close',
  widgetLabel: 'Co-browsing session',
  starting: 'Session starting…',
  code: 'Please give the agent this code:',
  waiting: 'Please wait for the agent to connect.',
  viewing: 'Agent is viewing your browser.',
  viewingNamed: '{name} is viewing your browser.',
  controlling: 'Agent is controlling your browser.',
  paused: 'Sharing is paused.',
  reconnecting: 'Reconnecting…',
  endSession: 'End session',
  endConfirm: 'End session?',
  stopControl: 'Stop control',
  sessionEnded: 'The co-browsing session has ended.',
  rcPrompt: 'Allow the agent to take control?',
  rcPromptNamed: 'Allow {name} to take control of this page?',
  navigatePrompt: 'The agent wants to take you to {url}. Go there?',
  openPrompt: 'The agent wants to open {url} in a new window. Open it?',
  historyBack: 'The agent wants to go back a page. Go back?',
  historyForward: 'The agent wants to go forward a page. Go forward?',
  historyRefresh: 'The agent wants to reload this page. Reload?',
  agentPointer: "{name}'s pointer",
  /** Read to screen readers when the agent points at an element (accessibility on). */
  gesture: '{agent} is pointing at {target}',
  gestureUnnamed: '{agent} is pointing at a {role}',
  errorTitle: 'Co-browsing problem',
  errorDupkey: 'This session code is already in use. Please try again with another one.',
  errorService: 'The co-browsing service is not available right now. Please try again later.',
  errorConndrop: 'The connection to the agent was lost.',
  errorOther: 'Something went wrong with the co-browsing session.',
  /** Roles read after an element's name ("Submit, button"). */
  roles: {
    button: 'button',
    link: 'link',
    textbox: 'text field',
    searchbox: 'search field',
    checkbox: 'check box',
    radio: 'radio button',
    combobox: 'list box',
    listbox: 'list box',
    heading: 'heading',
    img: 'image',
    list: 'list',
    listitem: 'list item',
    table: 'table',
    slider: 'slider',
    form: 'form',
    navigation: 'navigation',
    dialog: 'dialog',
    tab: 'tab',
    menuitem: 'menu item',
    option: 'option',
    switch: 'switch',
    generic: 'element',
  } as Record<string, string>,
};

/** The shape every language must have. */
export type Strings = typeof en;
