/**
 * Records when this thread's event loop stalled: a 2 ms interval timer
 * notes every gap between two ticks longer than a threshold, with absolute
 * times (performance.timeOrigin + now) so that gaps seen in two processes
 * can be compared. A stall that an idle control process saw at the same
 * moment was the machine's (CPU starvation, a paused sandbox), not ours.
 */
/** Issue 3: the process serving the UI never stalls longer than this. */
export const STALL_MS = 50;

export interface Gap {
  startMs: number;
  endMs: number;
}

const now = (): number => performance.timeOrigin + performance.now();

export class GapRecorder {
  readonly #thresholdMs: number;
  readonly gaps: Gap[] = [];
  #timer: NodeJS.Timeout | null = null;
  #last = 0;

  constructor(thresholdMs: number) {
    this.#thresholdMs = thresholdMs;
  }

  start(): void {
    this.#last = now();
    this.#timer = setInterval(() => {
      const t = now();
      if (t - this.#last > this.#thresholdMs) this.gaps.push({ startMs: this.#last, endMs: t });
      this.#last = t;
    }, 2);
  }

  stop(): Gap[] {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    return this.gaps;
  }
}

/** The gaps of `ours` that no gap of `control` overlaps. */
export function unexplainedGaps(ours: readonly Gap[], control: readonly Gap[]): Gap[] {
  return ours.filter((g) => !control.some((c) => c.startMs < g.endMs && g.startMs < c.endMs));
}
