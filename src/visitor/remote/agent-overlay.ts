/**
 * What the visitor sees of the agent's hand ([RC8], [RC9]): the agent's pointer, an arrow
 * of its own colour labelled with the agent's name, and a highlight that fades on the
 * element the agent clicked (a gesture, or a remote-control click). With accessibility on,
 * gestures are also read to the visitor's screen reader.
 *
 * Drawn in the engine's layer (shadow DOM, never captured), with `pointer-events: none`
 * so nothing here is in the visitor's way.
 */
import type { AgentInfo } from '../../shared/protocol/control.js';
import { format, type Strings } from '../ui/i18n.js';
import type { Layer } from '../ui/layer.js';
import { accessibleName, roleOf } from './accessible-name.js';

/** How long a highlight stays before it is removed, ms (it fades over this time). */
export const HIGHLIGHT_MS = 2_000;

const CSS = `
.oc-agent-pointer{position:fixed;left:0;top:0;pointer-events:none;transition:transform 60ms linear;z-index:3}
.oc-agent-pointer svg{display:block;filter:drop-shadow(0 1px 1px rgba(0,0,0,.4))}
.oc-agent-pointer span{position:absolute;left:16px;top:18px;background:#7c3aed;color:#fff;font:600 12px/1.2 system-ui,sans-serif;padding:2px 6px;border-radius:4px;white-space:nowrap;max-width:220px;overflow:hidden;text-overflow:ellipsis}
.oc-highlight{position:fixed;pointer-events:none;border:3px solid #7c3aed;border-radius:4px;background:rgba(124,58,237,.12);box-shadow:0 0 0 4px rgba(124,58,237,.25);animation:oc-fade ${HIGHLIGHT_MS}ms ease-out forwards;z-index:2}
.oc-ripple{position:fixed;width:32px;height:32px;margin:-16px 0 0 -16px;border-radius:50%;border:3px solid #7c3aed;pointer-events:none;animation:oc-ripple 700ms ease-out forwards;z-index:2}
@keyframes oc-fade{0%{opacity:1}60%{opacity:1}100%{opacity:0}}
@keyframes oc-ripple{0%{transform:scale(.3);opacity:1}100%{transform:scale(1.6);opacity:0}}
@media (prefers-reduced-motion:reduce){.oc-agent-pointer{transition:none}.oc-ripple{animation-duration:1ms}}
`;

/**
 * The arrow, built with DOM calls: `innerHTML` would throw on sites that enforce Trusted
 * Types.
 */
function arrow(doc: Document): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  const path = doc.createElementNS(ns, 'path');
  for (const [name, value] of [['width', '22'], ['height', '26'], ['viewBox', '0 0 22 26']]) svg.setAttribute(name!, value!);
  path.setAttribute('d', 'M2 2 L2 21 L7.5 16 L11 24 L14.5 22.5 L11 15 L18 15 Z');
  path.setAttribute('fill', '#7c3aed');
  path.setAttribute('stroke', '#fff');
  path.setAttribute('stroke-width', '2');
  path.setAttribute('stroke-linejoin', 'round');
  svg.appendChild(path);
  return svg;
}

/** The name to show for an agent. */
export function agentName(agent: AgentInfo): string {
  return agent.name || agent.username || 'Agent';
}

/** The agent's pointer and highlights on the visitor's page. */
export class AgentOverlay {
  private pointerEl: HTMLElement | null = null;
  private label: HTMLElement | null = null;

  constructor(
    private readonly layer: Layer,
    private readonly strings: () => Strings,
  ) {
    layer.addStyles(CSS);
  }

  /** Moves the agent's pointer to a viewport point; (-1, -1) hides it ([RC9]). */
  pointer(x: number, y: number, agent: AgentInfo): void {
    if (x < 0 || y < 0) {
      this.hidePointer();
      return;
    }
    if (!this.pointerEl) {
      this.layer.mount();
      const el = (this.pointerEl = this.layer.create('div', 'oc-agent-pointer'));
      el.setAttribute('aria-hidden', 'true');
      el.appendChild(arrow(this.layer.host.ownerDocument));
      this.label = this.layer.create('span', '', el);
    }
    const name = agentName(agent);
    if (this.label!.textContent !== name) this.label!.textContent = name;
    this.pointerEl.title = format(this.strings().agentPointer, { name });
    this.pointerEl.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  hidePointer(): void {
    this.pointerEl?.remove();
    this.pointerEl = this.label = null;
  }

  /**
   * Highlights `element` (when there is one) and marks the point; with `announce`, reads the
   * element's name and role to the visitor's screen reader.
   */
  highlight(element: Element | null, x: number, y: number, agent: AgentInfo, announce: boolean): void {
    this.layer.mount();
    if (x >= 0 && y >= 0) {
      const ripple = this.layer.create('div', 'oc-ripple');
      ripple.style.left = `${x}px`;
      ripple.style.top = `${y}px`;
      setTimeout(() => ripple.remove(), 800);
    }
    if (!element) return;
    const rect = viewportRect(element);
    if (rect) {
      const box = this.layer.create('div', 'oc-highlight');
      Object.assign(box.style, { left: `${rect.left - 4}px`, top: `${rect.top - 4}px`, width: `${rect.width + 8}px`, height: `${rect.height + 8}px` });
      setTimeout(() => box.remove(), HIGHLIGHT_MS);
    }
    if (announce) this.layer.announce(describeGesture(this.strings(), element, agent));
  }

  /** Removes everything (session over, or no agent left). */
  clear(): void {
    this.hidePointer();
    for (const el of Array.from(this.layer.root.querySelectorAll('.oc-highlight,.oc-ripple'))) el.remove();
  }
}

/** "Agent Smith is pointing at Submit, button". */
export function describeGesture(strings: Strings, element: Element, agent: AgentInfo): string {
  const role = roleOf(element);
  const roleText = strings.roles[role] ?? role;
  const name = accessibleName(element);
  const target = role === 'generic' ? name : `${name}, ${roleText}`;
  return name
    ? format(strings.gesture, { agent: agentName(agent), target })
    : format(strings.gestureUnnamed, { agent: agentName(agent), role: roleText });
}

/** An element's box in the top viewport (elements in same-origin iframes included). */
function viewportRect(element: Element): { left: number; top: number; width: number; height: number } | null {
  const rect = element.getBoundingClientRect();
  let left = rect.left;
  let top = rect.top;
  let win = element.ownerDocument.defaultView;
  for (let depth = 0; win && win !== win.parent && depth < 16; depth++) {
    let frame: Element | null = null;
    try {
      frame = win.frameElement;
    } catch {
      frame = null;
    }
    if (!frame) break;
    const outer = frame.getBoundingClientRect();
    left += outer.left + frame.clientLeft;
    top += outer.top + frame.clientTop;
    win = frame.ownerDocument.defaultView;
  }
  if (rect.width === 0 && rect.height === 0) return null;
  return { left, top, width: rect.width, height: rect.height };
}
