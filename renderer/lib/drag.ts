/**
 * The drag payload of message rows: their ids under our own MIME type, so a
 * folder accepts only rows of this window (not files, not text).
 */
export const MESSAGE_DRAG_TYPE = 'application/x-postern-messages';

export function encodeDraggedIds(ids: ReadonlyArray<number>): string {
  return JSON.stringify({ ids });
}

export function decodeDraggedIds(data: string): number[] {
  try {
    const v = JSON.parse(data) as { ids?: unknown };
    return Array.isArray(v.ids) ? v.ids.filter((x): x is number => Number.isSafeInteger(x) && x > 0) : [];
  } catch {
    return [];
  }
}

/** During dragover the data cannot be read, only its types. */
export function carriesMessages(types: ReadonlyArray<string>): boolean {
  return types.includes(MESSAGE_DRAG_TYPE);
}
