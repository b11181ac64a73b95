/**
 * A message's place in "newest first", as one integer: the search index's
 * rowid.
 *
 * A search answers the newest N hits. With the index keyed by message id,
 * SQLite had to read every hit's row for its date and sort them all: 11k
 * hits of an ordinary word over 100k messages took 11-18 ms, 50k hits of a
 * common one 35 ms. Keyed by date, FTS5 walks its hits newest first and the
 * query stops after N (2.4 and 6.4 ms; measured on the benchmark's 100k store).
 *
 * key = second of the message's date × 2^21 + its place among the messages
 * of that same second, in the order they were stored (the list's order too:
 * date, then id). Seconds are clamped to 0 .. 2^32 - 1 (1970 to 2106; a
 * message without a date counts as 1970), so every key is below 2^53 and
 * exact as a JavaScript number. A second holds 2^21 messages; one more with
 * the same date takes the next second's first key, or, if that is taken,
 * the unique index refuses the row: two messages never share an entry.
 *
 * The same formula is in SQL in migration 17; the two must agree.
 */

/** Keys per second of date. */
export const SORT_KEY_SLOTS = 2 ** 21;

const MAX_SECOND = 2 ** 32 - 1;

/**
 * Whether "date < ms" is the same as "sort_key < sortKeyBase(ms)" for a
 * whole second `ms`: not where the key clamps dates (before 1970, after 2106).
 */
export function keyBoundsDatesBefore(ms: number): boolean {
  return ms > 0 && ms / 1000 <= MAX_SECOND;
}

/** The first key of the second `dateMs` falls in. */
export function sortKeyBase(dateMs: number | null): number {
  const second = dateMs === null || !Number.isFinite(dateMs) ? 0 : Math.trunc(dateMs / 1000);
  return Math.min(MAX_SECOND, Math.max(0, second)) * SORT_KEY_SLOTS;
}

/**
 * SQL for the next free key of a second; its parameters are the second's
 * base, the next second's base, and the base again. One seek down the
 * unique index (max() with a range would read the whole second).
 */
export const NEXT_SORT_KEY_SQL =
  'coalesce((SELECT sort_key + 1 FROM messages WHERE sort_key >= ? AND sort_key < ? ORDER BY sort_key DESC LIMIT 1), ?)';
