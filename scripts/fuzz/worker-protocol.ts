import type { CrashKind, TargetName } from './target.js';

/** What the main thread gives a worker: run `target` from input `from` up to `to` (exclusive) or `deadline`. */
export interface WorkerJob {
  readonly target: TargetName;
  readonly seed: number;
  readonly from: number;
  /** Exclusive; Infinity runs until the deadline. */
  readonly to: number;
  /** Epoch ms; Infinity: no time limit. */
  readonly deadline: number;
  /** Float64Array[1]: the index being run now, for the watchdog. */
  readonly progress: SharedArrayBuffer;
}

/** Outcomes of a worker's inputs so far, by code (`ok`, FB_…, `crash`). */
export type Counts = Record<string, number>;

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly done: number; readonly counts: Counts }
  | { readonly type: 'crash'; readonly index: number; readonly kind: CrashKind; readonly signature: string; readonly message: string; readonly file: string | null }
  | { readonly type: 'done'; readonly done: number; readonly counts: Counts; readonly crashes: Counts };
