/** Bottom bar: what the engine is doing now (from mail:progress) and the latest notice. */
import type { EngineStartup, Progress } from '../../src-protocol/contract/index.ts';
import { humanSize } from '../lib/format.ts';

export interface StatusItem extends Progress {
  key: string;
  finished: boolean;
  /** How to name the account (its name rather than its id). */
  accountLabel: string;
  /** When its latest report came; the newest running step is the one shown. */
  updated?: number;
}

export interface Notice {
  kind: 'info' | 'error';
  text: string;
}

export interface StatusBarProps {
  items: ReadonlyArray<StatusItem>;
  notice: Notice | null;
  onDismissNotice: () => void;
  /** Stops a running account sync (shown for sync items). */
  onStop?: ((item: StatusItem) => void) | undefined;
  /** The engine's start; while it upgrades the database, that is what the bar shows. */
  startup?: EngineStartup | null | undefined;
}

const RUNNING: Record<Progress['task'], string> = { sync: 'Syncing', send: 'Sending', fetch: 'Downloading', index: 'Indexing' };
const FINISHED: Record<Progress['task'], string> = { sync: 'Up to date', send: 'Sent', fetch: 'Downloaded', index: 'Indexed' };

/** The engine's phase names, in words (unknown phases are shown as they come). */
const PHASE_WORDS: Record<string, string> = {
  flags: 'checking for changes',
  headers: 'fetching new messages',
  building: 'preparing the message',
  submitting: 'handing it to the server',
  'saving-copy': 'saving a copy in Sent',
  body: 'fetching the message',
  folders: 'checking folders',
  bodies: 'downloading messages for offline reading',
  conversations: 'sorting new messages into conversations',
  searchable: 'making new messages searchable',
  paused: 'paused while messages download',
};

export function phaseInWords(phase: string): string {
  return PHASE_WORDS[phase] ?? phase;
}

export function describeProgress(p: Progress, accountLabel: string, finished: boolean): string {
  const where = p.folder ? `${p.folder} (${accountLabel})` : accountLabel;
  if (finished) return `${FINISHED[p.task]}: ${where}`;
  const phase = phaseInWords(p.phase);
  return `${RUNNING[p.task]} ${where}: ${phase}${amountOf(p)}`;
}

/** ", 3.2 MB of 10 MB" — fetches and uploads count bytes, the others messages; other send steps have no amount. */
export function amountOf(p: Progress): string {
  if (p.total === null || p.total <= 0) return '';
  const bytes = p.task === 'fetch' || p.task === 'send';
  if (p.task === 'send' && p.phase !== 'submitting') return '';
  const n = (x: number) => (bytes ? humanSize(x) : String(x));
  return `, ${n(Math.min(p.done, p.total))} of ${n(p.total)}`;
}

/** "Updating the mail database for this version of Postern (step 1 of 3)…", or null when there is no upgrade under way. */
export function describeStartup(startup: EngineStartup | null | undefined): string | null {
  const m = startup?.state === 'starting' ? startup.migration : null;
  if (!m || m.done >= m.total) return null;
  return `Updating the mail database for this version of Postern (step ${m.done + 1} of ${m.total}). A large mailbox can take a minute.`;
}

export function StatusBar(props: StatusBarProps) {
  const running = props.items.filter((i) => !i.finished).sort((a, b) => (b.updated ?? 0) - (a.updated ?? 0));
  const main = running[0] ?? props.items[0];
  const upgrading = describeStartup(props.startup);
  return (
    <footer className="status-bar" data-testid="status-bar">
      <div className="status-progress" role="status" aria-live="polite" data-testid="status">
        {upgrading ? (
          <>
            <span className="spinner spinner-small" aria-hidden="true" />
            <span className="status-text">{upgrading}</span>
          </>
        ) : main ? (
          <>
            {!main.finished && <span className="spinner spinner-small" aria-hidden="true" />}
            <span className="status-text">{describeProgress(main, main.accountLabel, main.finished)}</span>
            {!main.finished && main.total !== null && main.total > 0 && (
              <progress className="status-meter" max={main.total} value={Math.min(main.done, main.total)} />
            )}
            {running.length > 1 && <span className="muted"> and {running.length - 1} more</span>}
            {!main.finished && main.task === 'sync' && props.onStop && (
              <button type="button" className="link-button status-stop" onClick={() => props.onStop?.(main)} data-testid="status-stop">
                Stop
              </button>
            )}
          </>
        ) : (
          <span className="muted">Ready</span>
        )}
      </div>
      {props.notice && (
        <div className={`status-notice status-notice-${props.notice.kind}`} role={props.notice.kind === 'error' ? 'alert' : 'status'} data-testid="status-notice">
          <span>{props.notice.text}</span>
          <button type="button" className="link-button" onClick={props.onDismissNotice} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </footer>
  );
}
