/**
 * Test harness: the recorder and the mirror in one page, without a server, so browser
 * tests can check capture and rebuild directly. Exposes `window.OCHarness`.
 */
import { Recorder, type CaptureSink } from '../../src/visitor/capture/recorder.js';
import { Mirror } from '../../src/agent/mirror/mirror.js';
import type { Token } from '../../src/shared/dom/format.js';

interface Captured {
  keyframes: string[];
  deltas: string[];
  volatile: string[];
}

function connect(
  source: Document,
  container: HTMLElement,
  masking: string[] = [],
): { recorder: Recorder; mirror: Mirror; captured: Captured; ready: Promise<void> } {
  const mirror = new Mirror(container, { error: (e) => console.error('mirror error', e) });
  const captured: Captured = { keyframes: [], deltas: [], volatile: [] };
  let pending = '';
  const sink: CaptureSink = {
    keyframePiece(text, last) {
      pending += text;
      if (last) {
        captured.keyframes.push(pending);
        mirror.applyKeyframe(JSON.parse(pending) as Token[]);
        pending = '';
      }
    },
    delta(text) {
      captured.deltas.push(text);
      mirror.applyDelta(JSON.parse(text) as Token[]);
    },
    volatile(text) {
      captured.volatile.push(text);
      mirror.applyDelta(JSON.parse(text) as Token[]);
    },
  };
  const recorder = new Recorder({ document: source, masking: { selectors: masking }, sink, report: (e) => console.error('capture error', e) });
  const ready = recorder.start();
  return { recorder, mirror, captured, ready };
}

(window as unknown as { OCHarness: unknown }).OCHarness = { connect, Recorder, Mirror };
