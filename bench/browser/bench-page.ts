/**
 * The in-page half of the capture, burst and rebuild benchmarks: bundled by the runner
 * (esbuild, IIFE) into `dist/bench/bench-page.js` and added to a freshly loaded page,
 * where it exposes `window.OCBench`. Every measurement is taken inside the page with
 * `performance.now()`, so the CDP round trips of the driver never count.
 *
 * Ours is measured on the real code path: `Recorder` → `FrameWriter` (the visitor engine's
 * sink: streaming `CompressionStream('deflate-raw')` for payloads over 1 KB), until the
 * writer hands over the finished frame. rrweb is `rrweb.record` until it emits its event.
 * Rebuilds start from the payload's JSON text (JSON.parse counts) for both.
 */
import { Recorder, type CaptureSink } from '../../src/visitor/capture/recorder.js';
import { FrameWriter } from '../../src/visitor/engine/frame-writer.js';
import { FRAME_HEADER_BYTES, FrameFlag, FrameKind, framePayload, readFrameHeader } from '../../src/shared/protocol/frame.js';
import { Mirror } from '../../src/agent/mirror/mirror.js';
import { inflate } from '../../src/agent/viewer/frame-reader.js';
import type { Token } from '../../src/shared/dom/format.js';
import { record, EventType } from 'rrweb';
import { createCache, createMirror, rebuildIntoSandboxedIframe } from 'rrweb-snapshot';
import { applyBurst, planBurst } from './burst-plan.js';
import type { BurstMeasure, CaptureSizes, CaptureTail, CaptureTiming, RebuildMeasure } from './measures.js';

/** How long the page must stay quiet after a capture for its background work to count, ms. */
const CAPTURE_TAIL_MS = 700;
/** How long to wait after the first output of a burst for more output, ms. */
const BURST_QUIET_MS = 300;
/** The visitor's viewport the mirrors are sized to, CSS pixels. */
const MIRROR_SIZE = { width: 1280, height: 800 } as const;

const encoder = new TextEncoder();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** Collects garbage when Chromium runs with `--js-flags=--expose-gc`, so no run pays for the last. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function compressedSize(bytes: Uint8Array<ArrayBuffer>, format: CompressionFormat): Promise<number> {
  const stream = new CompressionStream(format);
  const writer = stream.writable.getWriter();
  void writer.write(bytes).catch(() => {});
  void writer.close().catch(() => {});
  return (await new Response(stream.readable).arrayBuffer()).byteLength;
}

/**
 * Long tasks (over 50 ms, the browser's definition) from its creation until `stop()`.
 * Chromium times only tasks that start after an observer exists: create it, then start
 * the measured work in a later task (`LongTaskWatch.start()`).
 */
class LongTaskWatch {
  private readonly entries: PerformanceEntry[] = [];
  private readonly observer = new PerformanceObserver((list) => this.entries.push(...list.getEntries()));

  private constructor() {
    this.observer.observe({ type: 'longtask' });
  }

  /** Collects garbage, starts watching and resolves in a fresh task, ready for the work to measure. */
  static async start(): Promise<LongTaskWatch> {
    collectGarbage();
    const watch = new LongTaskWatch();
    await sleep(20);
    return watch;
  }

  /**
   * The longest task overlapping [from, to] (performance.now() times), 0 when none, their
   * count, and each one as [start after `from`, duration] in ms.
   */
  stop(from: number, to: number): { longestMs: number; count: number; tasks: [number, number][] } {
    this.entries.push(...this.observer.takeRecords());
    this.observer.disconnect();
    let longestMs = 0;
    const tasks: [number, number][] = [];
    for (const entry of this.entries) {
      if (entry.startTime + entry.duration < from || entry.startTime > to) continue;
      tasks.push([Math.round(entry.startTime - from), Math.round(entry.duration)]);
      longestMs = Math.max(longestMs, entry.duration);
    }
    return { longestMs, count: tasks.length, tasks };
  }
}

/** Page elements, for the report (html, head and body included). */
function elementCount(doc: Document): number {
  return doc.getElementsByTagName('*').length;
}

// -------------------------------------------------------------------------------------------
// What stays running after a capture, for the burst that follows in the same tab

interface Output {
  at: number;
  /** Bytes as sent (ours); 0 for rrweb, sized after the timing. */
  wire: number;
}

interface Running {
  side: 'ours' | 'rrweb';
  outputs: Output[];
  /** Ours: when the recorder last wrote a delta's JSON text (before compression). */
  lastTextAt: number;
  /** Ours: the delta texts since the burst began (sized after the timing). */
  texts: string[];
  /** Called at each output: the burst waits on it. */
  onOutput: (() => void) | null;
  stop(): void;
}

let running: Running | null = null;
/** Sizes the last capture's keyframe once its timing is over (a separate call, so its CPU time is not counted). */
let sizeLastCapture: ((keepPayload: boolean) => Promise<CaptureSizes>) | null = null;
/** Waits out the last capture's background work and reports its long tasks. */
let finishLastCapture: (() => Promise<CaptureTail>) | null = null;

/** Lets the capture's background work run, then reads the long tasks since it began. */
function tailOf(watch: LongTaskWatch, start: number): () => Promise<CaptureTail> {
  return async () => {
    await sleep(CAPTURE_TAIL_MS);
    const tasks = watch.stop(start, performance.now());
    return { longestTaskMs: tasks.longestMs, longTasks: tasks.count, longTaskList: tasks.tasks };
  };
}
/** rrweb events emitted during a burst, kept until the timing is over. */
const pending: unknown[] = [];

function noteOutput(state: Running, output: Output): void {
  state.outputs.push(output);
  state.onOutput?.();
}

// -------------------------------------------------------------------------------------------
// Capture

async function captureOurs(): Promise<CaptureTiming> {
  const elements = elementCount(document);
  const errors: string[] = [];
  const report = (error: unknown) => errors.push(String(error));
  const pieces: string[] = [];
  const state: Running = { side: 'ours', outputs: [], lastTextAt: 0, texts: [], onOutput: null, stop: () => {} };
  let keyframe: { at: number; frame: Uint8Array } | null = null;
  let keyframeSent!: () => void;
  const sent = new Promise<void>((resolve) => (keyframeSent = resolve));
  const writer = new FrameWriter({
    send(frame, kind) {
      const at = performance.now();
      if (kind === FrameKind.Keyframe && !keyframe) {
        keyframe = { at, frame };
        keyframeSent();
      } else if (kind === FrameKind.Delta) {
        noteOutput(state, { at, wire: frame.length - FRAME_HEADER_BYTES });
      }
    },
    report,
  });
  writer.start(1);
  const sink: CaptureSink = {
    keyframePiece(text, last) {
      pieces.push(text);
      writer.keyframePiece(text, last);
    },
    delta(text) {
      state.lastTextAt = performance.now();
      state.texts.push(text);
      writer.delta(text);
    },
    volatile(text) {
      writer.volatile(text);
    },
  };

  const watch = await LongTaskWatch.start();
  const start = performance.now();
  // The engine's settings for a group without masking selectors (the built-in ones apply).
  const recorder = new Recorder({ document, masking: { selectors: [] }, sink, report });
  let serializedAt = 0;
  const written = recorder.start().then(() => {
    serializedAt = performance.now();
  });
  await sent;
  await written;
  finishLastCapture = tailOf(watch, start);
  state.stop = () => {
    recorder.stop();
    writer.close();
  };
  running = state;

  const { at, frame } = keyframe!;
  sizeLastCapture = async (keepPayload) => {
    const header = readFrameHeader(frame);
    const payload = framePayload(frame);
    const text = pieces.join('');
    const raw = encoder.encode(text);
    return {
      rawBytes: raw.length,
      deflateBytes: typeof header !== 'string' && header.flags & FrameFlag.Deflate ? payload.length : await compressedSize(raw, 'deflate-raw'),
      gzipBytes: await compressedSize(raw, 'gzip'),
      ...(keepPayload ? { payload: text } : {}),
    };
  };
  return {
    side: 'ours',
    elements,
    readyMs: at - start,
    serializedMs: serializedAt - start,
    errors,
  };
}

async function captureRrweb(): Promise<CaptureTiming> {
  const elements = elementCount(document);
  const errors: string[] = [];
  const state: Running = { side: 'rrweb', outputs: [], lastTextAt: 0, texts: [], onOutput: null, stop: () => {} };
  let full: { at: number; event: unknown } | null = null;

  const watch = await LongTaskWatch.start();
  const start = performance.now();
  const stop = record({
    emit(event) {
      const at = performance.now();
      if (event.type === EventType.FullSnapshot && !full) {
        full = { at, event };
      } else if (full && event.type === EventType.IncrementalSnapshot) {
        // Sizes are taken after the timing (see burst); the event is kept for that.
        pending.push(event);
        noteOutput(state, { at, wire: 0 });
      }
    },
    errorHandler: (error) => {
      errors.push(String(error));
      return true;
    },
  });
  const returnedAt = performance.now();
  finishLastCapture = tailOf(watch, start);
  state.stop = () => stop?.();
  running = state;
  if (!full) throw new Error('rrweb.record emitted no full snapshot');
  const { at, event } = full;
  sizeLastCapture = async (keepPayload) => {
    // Serialising the event is work rrweb's user must do before sending: timed, reported apart.
    const stringifyStart = performance.now();
    const text = JSON.stringify(event);
    const stringifyMs = performance.now() - stringifyStart;
    const raw = encoder.encode(text);
    return {
      stringifyMs,
      rawBytes: raw.length,
      deflateBytes: await compressedSize(raw, 'deflate-raw'),
      gzipBytes: await compressedSize(raw, 'gzip'),
      ...(keepPayload ? { payload: text } : {}),
    };
  };
  return {
    side: 'rrweb',
    elements,
    readyMs: at - start,
    serializedMs: returnedAt - start,
    errors,
  };
}

// -------------------------------------------------------------------------------------------
// Burst: 1,000 mutations in one task, on the page the capture above is still recording

async function burst(seed: number): Promise<BurstMeasure> {
  const state = running;
  if (!state) throw new Error('burst() needs a capture running in this tab');
  const plan = planBurst(document, seed);
  state.outputs.length = 0;
  state.texts.length = 0;
  pending.length = 0;
  let firstOutput!: () => void;
  const first = new Promise<void>((resolve) => (firstOutput = resolve));
  state.onOutput = () => firstOutput();

  const watch = await LongTaskWatch.start();
  const start = performance.now();
  applyBurst(plan);
  // The page's own style and layout work for its changes, done now so that neither side's
  // processing time includes it (otherwise ours, which finishes in later tasks, would wait
  // behind the rendering update that rrweb's synchronous emit runs ahead of).
  void document.body.offsetHeight;
  const applied = performance.now();
  await first;
  // More output may follow (ours: compression of a later batch; rrweb: nothing usually).
  for (let count = 0; count !== state.outputs.length; ) {
    count = state.outputs.length;
    await sleep(BURST_QUIET_MS);
  }
  const tasks = watch.stop(start, performance.now());
  state.onOutput = null;
  const last = state.outputs[state.outputs.length - 1]!;
  let rawBytes = 0;
  let wireBytes = 0;
  let stringifyMs: number | undefined;
  if (state.side === 'ours') {
    for (const output of state.outputs) wireBytes += output.wire;
    for (const text of state.texts) rawBytes += encoder.encode(text).length;
  } else {
    const stringifyStart = performance.now();
    const texts = pending.map((event) => JSON.stringify(event));
    stringifyMs = performance.now() - stringifyStart;
    for (const text of texts) {
      const bytes = encoder.encode(text);
      rawBytes += bytes.length;
      // rrweb has no wire format of its own: compressed with the same deflate-raw as ours.
      wireBytes += await compressedSize(bytes, 'deflate-raw');
    }
  }
  state.stop();
  running = null;
  return {
    side: state.side,
    mutations: plan.count,
    applyMs: applied - start,
    processMs: last.at - applied,
    ...(state.side === 'ours' ? { textMs: state.lastTextAt - applied } : {}),
    ...(stringifyMs === undefined ? {} : { stringifyMs }),
    outputs: state.outputs.length,
    rawBytes,
    wireBytes,
    longestTaskMs: tasks.longestMs,
  };
}

// -------------------------------------------------------------------------------------------
// Rebuild: a keyframe's JSON text → a mirror in a sandboxed iframe

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/** performance.now() two animation frames later: the mirror styled, laid out and painted. */
async function paintedAt(): Promise<number> {
  await nextFrame();
  await nextFrame();
  return performance.now();
}

function container(): HTMLElement {
  const root = document.getElementById('stage');
  if (!root) throw new Error('the rebuild page has no #stage');
  root.replaceChildren();
  return root;
}

/**
 * Ours: `Mirror.applyKeyframe` from the page-stream tokens that `decode` produces, timed from
 * the start of `decode` (JSON.parse included; inflating too for the compressed frame).
 */
async function rebuildOursFrom(
  side: RebuildMeasure['side'],
  input: unknown,
  decode: (input: unknown) => Promise<Token[]> | Token[],
  waitPaint: boolean,
): Promise<RebuildMeasure> {
  const stage = container();
  const errors: string[] = [];
  await nextFrame();
  collectGarbage();
  const start = performance.now();
  const tokens = await decode(input);
  const parsed = performance.now();
  const mirror = new Mirror(stage, { error: (error) => errors.push(String(error)) });
  mirror.applyKeyframe(tokens);
  const built = performance.now();
  const painted = waitPaint ? await paintedAt() : NaN;
  const doc = mirror.document;
  return {
    side,
    parseMs: parsed - start,
    buildMs: built - start,
    paintedMs: painted - start,
    elements: doc ? elementCount(doc) : 0,
    errors,
  };
}

async function rebuildOurs(url: string, waitPaint: boolean): Promise<RebuildMeasure> {
  return rebuildOursFrom('ours', await fetchText(url), (text) => JSON.parse(text as string) as Token[], waitPaint);
}

/** Ours from the compressed frame as the viewer receives it: the viewer's own inflate, then parse and build. */
async function rebuildOursCompressed(url: string, waitPaint: boolean): Promise<RebuildMeasure> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  return rebuildOursFrom(
    'ours-deflated',
    bytes,
    async (payload) => {
      const text = await inflate(payload as Uint8Array, Number.MAX_SAFE_INTEGER);
      if (text === null) throw new Error('the keyframe did not inflate');
      return JSON.parse(text) as Token[];
    },
    waitPaint,
  );
}

async function rebuildRrweb(url: string, waitPaint: boolean): Promise<RebuildMeasure> {
  const text = await fetchText(url);
  const stage = container();
  const errors: string[] = [];
  await nextFrame();
  collectGarbage();
  const start = performance.now();
  const event = JSON.parse(text) as { data: { node: Parameters<typeof rebuildIntoSandboxedIframe>[0] } };
  const parsed = performance.now();
  const { iframe } = rebuildIntoSandboxedIframe(event.data.node, {
    root: stage,
    mirror: createMirror(),
    cache: createCache(),
    hackCss: true,
    iframeAttributes: { width: String(MIRROR_SIZE.width), height: String(MIRROR_SIZE.height) },
  });
  const built = performance.now();
  const painted = waitPaint ? await paintedAt() : NaN;
  const doc = iframe.contentDocument;
  return {
    side: 'rrweb',
    parseMs: parsed - start,
    buildMs: built - start,
    paintedMs: painted - start,
    elements: doc ? elementCount(doc) : 0,
    errors,
  };
}

/** What the page exposes to the driver. */
export interface BenchApi {
  /** Captures the page; sizes come from `captureSizes()` after. */
  captureOurs(): Promise<CaptureTiming>;
  captureRrweb(): Promise<CaptureTiming>;
  /** Waits 0.7 s of the last capture's background work; its long tasks. */
  captureTail(): Promise<CaptureTail>;
  /** The last capture's sizes; `keepPayload`: its JSON text too (for the rebuild benchmark). */
  captureSizes(keepPayload: boolean): Promise<CaptureSizes>;
  burst(seed: number): Promise<BurstMeasure>;
  /** `waitPaint`: also wait until painted (slow on big pages, so not every run does). */
  rebuildOurs(url: string, waitPaint: boolean): Promise<RebuildMeasure>;
  rebuildOursCompressed(url: string, waitPaint: boolean): Promise<RebuildMeasure>;
  rebuildRrweb(url: string, waitPaint: boolean): Promise<RebuildMeasure>;
}

async function captureTail(): Promise<CaptureTail> {
  if (!finishLastCapture) throw new Error('captureTail() needs a capture first');
  return finishLastCapture();
}

async function captureSizes(keepPayload: boolean): Promise<CaptureSizes> {
  if (!sizeLastCapture) throw new Error('captureSizes() needs a capture first');
  return sizeLastCapture(keepPayload);
}

const api: BenchApi = { captureOurs, captureRrweb, captureTail, captureSizes, burst, rebuildOurs, rebuildOursCompressed, rebuildRrweb };
(window as unknown as { OCBench: BenchApi }).OCBench = api;
