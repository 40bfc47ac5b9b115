/**
 * What one run of an in-page benchmark returns (times in milliseconds, sizes in bytes).
 * Shared by the page bundle (bench-page.ts) and the drivers that read its results.
 */

/** One keyframe capture: ours (Recorder → FrameWriter) or rrweb's full snapshot. */
export interface CaptureMeasure extends CaptureTiming, CaptureTail, CaptureSizes {
  /**
   * Main-thread CPU time of the renderer until the keyframe was ready (CDP `Performance`
   * ThreadTime), ms. Unlike wall times it barely grows when other processes want the CPU.
   */
  cpuMs: number;
  /** The same, including 0.7 s after (ours: the background scroll-offset scan; rrweb: nothing). */
  cpuWithTailMs: number;
}

/** The long tasks of a capture and the 0.7 s after it. */
export interface CaptureTail {
  /** Longest main-thread task while capturing (PerformanceObserver `longtask`, so 0 = none over 50 ms). */
  longestTaskMs: number;
  /** Number of tasks over 50 ms while capturing. */
  longTasks: number;
  /** Each task over 50 ms: [start after the capture began, duration], ms (where in the capture it fell). */
  longTaskList: [number, number][];
}

/** What the page measures while capturing. */
export interface CaptureTiming {
  side: 'ours' | 'rrweb';
  /** Elements in the page (html, head and body included). */
  elements: number;
  /**
   * From the start of capture until the keyframe is ready to send. Ours: the FrameWriter
   * handed over the finished (compressed) frame. rrweb: `record` emitted its FullSnapshot
   * event (an object: serialising it is extra, see `stringifyMs`).
   */
  readyMs: number;
  /** Ours: until the recorder wrote its last piece (before compression finished). rrweb: until `record()` returned. */
  serializedMs: number;
  /** Errors the capture reported (expected: none). */
  errors: string[];
}

/** The keyframe's sizes, taken after the timing. */
export interface CaptureSizes {
  /** rrweb only: `JSON.stringify` of the FullSnapshot event, which a sender must also do. */
  stringifyMs?: number;
  /** Keyframe JSON, UTF-8. */
  rawBytes: number;
  /** Keyframe compressed with raw DEFLATE (ours: the frame's payload as sent). */
  deflateBytes: number;
  /** Keyframe JSON gzipped by the browser's CompressionStream, for reference. */
  gzipBytes: number;
  /** The keyframe's JSON text, when asked for (the rebuild benchmark replays it). */
  payload?: string;
}

/** One burst of mutations processed by the recorder that captured the page. */
export interface BurstMeasure {
  side: 'ours' | 'rrweb';
  /** Mutations applied (250 of each kind when the page has enough nodes). */
  mutations: number;
  /** Time the page itself took to apply them (the same for both sides). */
  applyMs: number;
  /**
   * From the end of the page's task until the last output was ready. Ours: the delta
   * frame(s) handed over by the FrameWriter (compressed). rrweb: its mutation event emitted.
   */
  processMs: number;
  /** Ours only: until the recorder wrote the delta's JSON text (compression not yet done). */
  textMs?: number;
  /** rrweb only: `JSON.stringify` of the emitted events. */
  stringifyMs?: number;
  /** Frames (ours) or events (rrweb) produced. */
  outputs: number;
  /** JSON, UTF-8. */
  rawBytes: number;
  /** Compressed as sent (ours: deflate-raw over 1 KB; rrweb: deflate-raw per event). */
  wireBytes: number;
  /** Longest task over 50 ms during the burst and its processing (0 = none). */
  longestTaskMs: number;
}

/** One rebuild of a keyframe into a sandboxed iframe. */
export interface RebuildMeasure {
  /** `ours-deflated` starts from the compressed frame payload (inflate included). */
  side: 'ours' | 'ours-deflated' | 'rrweb';
  /** JSON.parse (and inflate for `ours-deflated`). */
  parseMs: number;
  /** Parse and build, until the mirror document is complete (synchronous work). */
  buildMs: number;
  /** Until two animation frames later: styled, laid out and painted. NaN when not waited for. */
  paintedMs: number;
  /** Elements in the rebuilt document. */
  elements: number;
  errors: string[];
}
