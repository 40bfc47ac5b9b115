/**
 * `window.GLANCE_COBROWSE.getMaskingDescriptor(params)` (glance-reference §2.2, DESIGN §3.5):
 * the site decides at run time what to mask, given the agents in the session. It is asked
 * before the first keyframe and again whenever the agents change. A rejection, a throw,
 * a malformed answer or no answer in time masks the whole page ([MK6]).
 */
import type { AgentsState } from '../../shared/protocol/control.js';
import type { MaskingRules } from '../capture/masking.js';

/** How long the site's descriptor may take before the page is masked whole, ms. */
export const MASKING_DESCRIPTOR_TIMEOUT_MS = 5_000;

/** What the descriptor resolves to. */
export interface MaskingDescriptor {
  /** Mask the whole page. */
  maskpage?: boolean;
  /** More CSS selectors to mask. */
  maskedelements?: string[];
  /**
   * Selectors to leave unmasked although the settings mask them. Not supported yet: the
   * capture engine cannot unmask below a masked element; a warning says so once.
   */
  unmaskedelements?: string[];
}

/** The outcome of asking the site. */
export type DescriptorResult = { ok: true; rules: MaskingRules; unmasked: boolean } | { ok: false; reason: string };

/** The site's descriptor function, if it set one. */
export function findDescriptorFunction(win: Window, settings: Record<string, unknown>): ((params: unknown) => unknown) | null {
  const page = (win as unknown as { GLANCE_COBROWSE?: Record<string, unknown> }).GLANCE_COBROWSE;
  const fn = page?.getMaskingDescriptor ?? settings.getMaskingDescriptor;
  return typeof fn === 'function' ? (fn as (params: unknown) => unknown) : null;
}

/**
 * Calls the descriptor and merges its answer with the group's selectors. Never rejects.
 *
 * @param selectors the group's masked selectors (settings)
 */
export async function askDescriptor(
  fn: (params: unknown) => unknown,
  agents: AgentsState,
  selectors: readonly string[],
  timeoutMs = MASKING_DESCRIPTOR_TIMEOUT_MS,
): Promise<DescriptorResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    // A copy: the site must not be able to change the session's agents list.
    const params = { agents: { count: agents.count, agentlist: agents.agentlist.map((agent) => ({ ...agent })) } };
    const answer = await Promise.race([Promise.resolve(fn(params)), timeout]);
    if (answer === undefined || answer === null) return { ok: true, rules: { selectors }, unmasked: false };
    if (typeof answer !== 'object') return { ok: false, reason: 'the descriptor is not an object' };
    const descriptor = answer as MaskingDescriptor;
    const extra = descriptor.maskedelements ?? [];
    if (!Array.isArray(extra) || !extra.every((s) => typeof s === 'string')) {
      return { ok: false, reason: 'maskedelements is not a list of selectors' };
    }
    const unmasked = Array.isArray(descriptor.unmaskedelements) && descriptor.unmaskedelements.length > 0;
    return { ok: true, rules: { selectors: [...selectors, ...extra], maskPage: descriptor.maskpage === true }, unmasked };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether two rule sets mask the same (so no new keyframe is needed). */
export function sameRules(a: MaskingRules, b: MaskingRules): boolean {
  return (a.maskPage === true) === (b.maskPage === true) && a.selectors.join('\n') === b.selectors.join('\n');
}
