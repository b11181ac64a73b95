/**
 * What a pane knows about something it loads: the data so far (possibly stale),
 * whether a load is under way, and the last error. A pane shows "loading"
 * with no data, "error + Retry" with an error and no data, and a banner when
 * fresh data failed to arrive on top of old.
 */
import type { ErrorCode } from '../../src-protocol/contract/index.ts';

/** The shape of IpcError that components need (they do not import the client). */
export interface ShownError {
  code: ErrorCode;
  message: string;
  field?: string | undefined;
}

export interface Loadable<T> {
  data: T | undefined;
  loading: boolean;
  error: ShownError | null;
}

export const NOT_LOADED: Loadable<never> = { data: undefined, loading: false, error: null };
export const LOADING: Loadable<never> = { data: undefined, loading: true, error: null };
