/**
 * The visitor engine's UI side: the layer every drawn thing lives in, the language, and the
 * default visitor UI published as `GLANCE.Cobrowse.VisitorUI`.
 */
import type { StartParams } from '../loader/handoff.js';
import type { VisitorApi } from '../engine/visitor-api.js';
import type { Strings } from './i18n.js';
import type { Layer } from './layer.js';
import { VisitorUI, type TermsSource } from './visitor-ui.js';

export { Layer, LAYER_TAG } from './layer.js';
export { chooseLanguage, format, LANGUAGES, type Strings } from './i18n.js';
export { VisitorUI, type TermsSource } from './visitor-ui.js';

/** Version of the default UI's API (`GLANCE.Cobrowse.VisitorUI.VERSION`). */
export const VISITOR_UI_VERSION = '1.0.0';

/** `GLANCE.Cobrowse.VisitorUI` (glance-reference §2.3). */
export interface VisitorUiApi {
  readonly loaded: true;
  readonly VERSION: string;
  showButton(show?: boolean): void;
  toggleButton(): void;
  showTerms(params?: StartParams): void;
  /** Resolves when the UI is ready (it is, once this object exists). */
  ready(): Promise<void>;
}

/** Creates the default UI and its public object. */
export function createVisitorUi(api: VisitorApi, layer: Layer, strings: Strings, lang: string, terms: () => TermsSource): { ui: VisitorUI; publicApi: VisitorUiApi } {
  const ui = new VisitorUI(api, layer, strings, lang, terms);
  const publicApi: VisitorUiApi = {
    loaded: true,
    VERSION: VISITOR_UI_VERSION,
    showButton: (show?: boolean) => api.showButton(show),
    toggleButton: () => api.toggleButton(),
    showTerms: (params?: StartParams) => api.showTerms(params),
    ready: () => Promise.resolve(),
  };
  return { ui, publicApi };
}
