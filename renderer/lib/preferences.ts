/**
 * The person's preferences that only the window needs: kept in the app's own
 * storage (localStorage of the postern:// origin), read when used, so a
 * change applies to the next message without a restart. Every value is
 * checked on the way in and on the way out; a bad stored value reads as the
 * default.
 */
export interface Preferences {
  /** Warn in the composer when a message is larger than this, in MiB. */
  warnMiB: number;
  /** How long a sent message waits in the Outbox, so Undo can take it back, in seconds. */
  undoSeconds: number;
}

export const PREFERENCE_LIMITS = {
  warnMiB: { min: 1, max: 500, default: 20 },
  undoSeconds: { min: 0, max: 30, default: 5 },
} as const;

const KEYS: Record<keyof Preferences, string> = {
  warnMiB: 'postern.composer.warnMiB',
  undoSeconds: 'postern.send.undoSeconds',
};

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;
const defaultStorage = (): Storage | null => globalThis.localStorage ?? null;

/** A value within its limits, or undefined when it is not a number at all. */
export function checkPreference(name: keyof Preferences, value: number): number | undefined {
  const limits = PREFERENCE_LIMITS[name];
  if (!Number.isFinite(value)) return undefined;
  return Math.min(limits.max, Math.max(limits.min, name === 'undoSeconds' ? Math.round(value) : value));
}

export function readPreference(name: keyof Preferences, storage: Pick<Storage, 'getItem'> | null = defaultStorage()): number {
  const raw = storage?.getItem(KEYS[name]);
  const value = raw === null || raw === undefined || raw === '' ? NaN : Number(raw);
  const checked = checkPreference(name, value);
  // Stored values outside the limits (edited by hand, or limits changed) read as the default.
  return checked !== undefined && checked === value ? checked : PREFERENCE_LIMITS[name].default;
}

export function readPreferences(storage: Pick<Storage, 'getItem'> | null = defaultStorage()): Preferences {
  return { warnMiB: readPreference('warnMiB', storage), undoSeconds: readPreference('undoSeconds', storage) };
}

export function writePreferences(prefs: Preferences, storage: Pick<Storage, 'setItem'> | null = defaultStorage()): void {
  for (const name of Object.keys(KEYS) as (keyof Preferences)[]) {
    const checked = checkPreference(name, prefs[name]);
    if (checked !== undefined) storage?.setItem(KEYS[name], String(checked));
  }
}
