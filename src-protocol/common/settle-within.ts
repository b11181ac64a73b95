/**
 * Waits until every promise has settled, or `timeoutMs` has passed, whichever
 * comes first; never rejects. For shutting down: work under way gets a
 * bounded chance to finish (and record its state) before the store closes.
 * The timer is cleared either way, so it never keeps the process alive.
 */
export async function settleWithin(work: Iterable<Promise<unknown>>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.allSettled([...work]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
