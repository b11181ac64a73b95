/** Flag lists as the engine keeps them (IMAP system flags and keywords). */
export const SEEN = '\\Seen';
export const FLAGGED = '\\Flagged';

/** The flags after adding and removing some, in the engine's way (no duplicates, order kept). */
export function applyFlagChange(flags: ReadonlyArray<string>, add: ReadonlyArray<string>, remove: ReadonlyArray<string>): string[] {
  const gone = new Set(remove.map((f) => f.toLowerCase()));
  const out = flags.filter((f) => !gone.has(f.toLowerCase()));
  for (const f of add) if (!out.some((x) => x.toLowerCase() === f.toLowerCase())) out.push(f);
  return out;
}
