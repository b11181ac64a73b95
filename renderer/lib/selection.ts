/**
 * Which rows of the message list are selected, as plain data: a click picks
 * one row, ctrl/cmd+click toggles one, shift+click or shift+arrow extends a
 * range from the anchor (the row the range started at) to the focus.
 */
export interface Selection {
  ids: ReadonlySet<number>;
  /** Where a shift-range starts. */
  anchor: number | null;
  /** The row the keyboard is on (the one shown in the reading pane). */
  focus: number | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null, focus: null };

export function selectOnly(id: number): Selection {
  return { ids: new Set([id]), anchor: id, focus: id };
}

export function toggleOne(sel: Selection, id: number): Selection {
  const ids = new Set(sel.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  const focus = ids.has(id) ? id : sel.focus !== id ? sel.focus : ([...ids].at(-1) ?? null);
  return { ids, anchor: id, focus };
}

/** Everything between the anchor and `id` in the order shown (the anchor is kept). */
export function extendTo(sel: Selection, order: ReadonlyArray<number>, id: number): Selection {
  const anchor = sel.anchor !== null && order.includes(sel.anchor) ? sel.anchor : id;
  const a = order.indexOf(anchor);
  const b = order.indexOf(id);
  if (b < 0) return sel;
  const [from, to] = a <= b ? [a, b] : [b, a];
  return { ids: new Set(order.slice(from, to + 1)), anchor, focus: id };
}

/** Drops rows that are no longer shown (moved away, deleted, filtered out). */
export function pruneSelection(sel: Selection, order: ReadonlyArray<number>): Selection {
  const shown = new Set(order);
  if ([...sel.ids].every((id) => shown.has(id)) && (sel.focus === null || shown.has(sel.focus))) return sel;
  const ids = new Set([...sel.ids].filter((id) => shown.has(id)));
  return {
    ids,
    anchor: sel.anchor !== null && shown.has(sel.anchor) ? sel.anchor : null,
    focus: sel.focus !== null && shown.has(sel.focus) ? sel.focus : null,
  };
}

/**
 * After the selected rows leave the list, the row to select next: the first
 * one after the last removed row, else the one before (as mail clients do).
 */
export function nextAfterRemoval(order: ReadonlyArray<number>, removed: ReadonlySet<number>): number | null {
  let last = -1;
  order.forEach((id, i) => {
    if (removed.has(id)) last = i;
  });
  if (last < 0) return null;
  for (let i = last + 1; i < order.length; i++) {
    const id = order[i];
    if (id !== undefined && !removed.has(id)) return id;
  }
  for (let i = last - 1; i >= 0; i--) {
    const id = order[i];
    if (id !== undefined && !removed.has(id)) return id;
  }
  return null;
}
