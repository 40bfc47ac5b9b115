/**
 * The realistic traffic of one simulated visitor: the recorded sessions replayed one after
 * another, each starting with its keyframe like a page load, with the recorded timing
 * (typing runs, mutation bursts, pointer movement, page changes) played faster or slower
 * by one factor so that the long-run mean is the target bit rate (~50 kbit/s per
 * co-browse session, issue 3). Pointer frames that the faster clock would bring closer
 * than 40 ms are dropped, since a visitor never sends them more often ([PS9]).
 */
import { FrameKind } from '../../src/shared/protocol/frame.js';
import type { Recording } from './frames.js';

/** The pointer's shortest interval, ms ([PS9]). */
export const POINTER_INTERVAL_MS = 40;
/** Quiet time kept after a recording's last frame (the visitor reads), recorded ms. */
const SCENE_TAIL_MS = 1_000;

/** One frame of a scene, at its time since the scene started. */
export interface ReplayEvent {
  atMs: number;
  kind: FrameKind;
  frame: Buffer;
}

/** A recording as replayed: keyframe first, times already scaled. */
export interface ReplayScene {
  name: string;
  /** Length of the scene including its quiet tail, ms. */
  durationMs: number;
  events: ReplayEvent[];
}

/** What a simulated visitor plays, and its rates. */
export interface ReplayPlan {
  scenes: ReplayScene[];
  /** Recorded time is divided by this (above 1: faster than recorded). */
  timeScale: number;
  /** Mean page-frame bit rate of the plan, bits/s (payload of the WebSocket messages). */
  bitsPerSecond: number;
  /** Mean messages per second of the plan, by kind and in total. */
  framesPerSecond: { keyframe: number; delta: number; volatile: number; total: number };
  /** Mean sizes, bytes. */
  meanBytes: { keyframe: number; delta: number; volatile: number };
}

function buildScenes(recordings: readonly Recording[], timeScale: number): ReplayScene[] {
  const scenes: ReplayScene[] = [];
  for (const recording of recordings) {
    const first = recording.frames.findIndex((frame) => frame.kind === FrameKind.Keyframe);
    if (first < 0) continue;
    const start = recording.frames[first]!.atMs;
    const events: ReplayEvent[] = [];
    let lastPointer = Number.NEGATIVE_INFINITY;
    for (const frame of recording.frames.slice(first)) {
      const atMs = (frame.atMs - start) / timeScale;
      if (frame.kind === FrameKind.Volatile) {
        if (atMs - lastPointer < POINTER_INTERVAL_MS) continue;
        lastPointer = atMs;
      }
      events.push({ atMs, kind: frame.kind, frame: frame.bytes });
    }
    const last = events[events.length - 1]!.atMs;
    scenes.push({ name: recording.name, durationMs: last + SCENE_TAIL_MS / timeScale, events });
  }
  if (scenes.length === 0) throw new Error('no recording holds a keyframe');
  return scenes;
}

function measure(scenes: readonly ReplayScene[], timeScale: number): ReplayPlan {
  const seconds = scenes.reduce((sum, scene) => sum + scene.durationMs, 0) / 1000;
  const count = { keyframe: 0, delta: 0, volatile: 0 };
  const bytes = { keyframe: 0, delta: 0, volatile: 0 };
  for (const scene of scenes) {
    for (const event of scene.events) {
      const kind = event.kind === FrameKind.Keyframe ? 'keyframe' : event.kind === FrameKind.Delta ? 'delta' : 'volatile';
      count[kind]++;
      bytes[kind] += event.frame.length;
    }
  }
  const total = bytes.keyframe + bytes.delta + bytes.volatile;
  return {
    scenes: [...scenes],
    timeScale,
    bitsPerSecond: (total * 8) / seconds,
    framesPerSecond: {
      keyframe: count.keyframe / seconds,
      delta: count.delta / seconds,
      volatile: count.volatile / seconds,
      total: (count.keyframe + count.delta + count.volatile) / seconds,
    },
    meanBytes: {
      keyframe: bytes.keyframe / Math.max(1, count.keyframe),
      delta: bytes.delta / Math.max(1, count.delta),
      volatile: bytes.volatile / Math.max(1, count.volatile),
    },
  };
}

/** Plans the replay of `recordings` at a mean of `bitsPerSecond` (within 1 %). */
export function planReplay(recordings: readonly Recording[], bitsPerSecond: number): ReplayPlan {
  if (!(bitsPerSecond > 0)) throw new Error(`bit rate must be positive, got ${bitsPerSecond}`);
  let timeScale = 1;
  let plan = measure(buildScenes(recordings, timeScale), timeScale);
  // Dropped pointer frames make the rate depend slightly on the scale: a few rounds settle it.
  for (let round = 0; round < 8 && Math.abs(plan.bitsPerSecond / bitsPerSecond - 1) > 0.01; round++) {
    timeScale *= bitsPerSecond / plan.bitsPerSecond;
    plan = measure(buildScenes(recordings, timeScale), timeScale);
  }
  return plan;
}
