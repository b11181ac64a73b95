/**
 * Actions on selected messages: read/unread, flag, move, delete. Each shows
 * at once (the rows change or leave the list before the engine answers);
 * the engine applies it to its store at once too and sends it to the server
 * in the background, reporting the outcome as mail:task events.
 */
import { useCallback, useRef } from 'react';
import type { MessageSummary } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { FLAGGED, SEEN, applyFlagChange } from '../lib/flags.ts';
import { useClient } from './client-context.tsx';

/** The most ids one move/delete call takes (the contract's limit). */
const IDS_PER_CALL = 1000;
/** setFlags is one call per message; this many run at once. */
const FLAG_CALLS_AT_ONCE = 16;

export interface ActionCallbacks {
  /** Show these flags on the row now. */
  applyFlags: (id: number, flags: string[]) => void;
  /** Take these rows out of the list now. */
  removeRows: (ids: ReadonlySet<number>) => void;
  /** The engine has the change: reload counts and lists of these accounts. */
  settled: (accountIds: ReadonlyArray<string>) => void;
  /** Say what happened (e.g. "Moved 2 messages to Archive."). */
  info: (text: string) => void;
  /** The engine refused: say so, and bring the list back to the store's truth. */
  failed: (text: string, accountIds: ReadonlyArray<string>) => void;
  /** A move or delete-to-Trash that mail:undo can take back happened (text: what it was). */
  undoable?: (text: string) => void;
}

export interface MessageActions {
  setSeen: (rows: ReadonlyArray<MessageSummary>, seen: boolean) => void;
  setFlagged: (rows: ReadonlyArray<MessageSummary>, flagged: boolean) => void;
  /** Moves the rows of `to`'s account into `to.folder`; `label` names the folder in the notice. */
  move: (rows: ReadonlyArray<MessageSummary>, to: { account_id: string; folder: string }, label: string) => void;
  remove: (rows: ReadonlyArray<MessageSummary>) => void;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const accountsOf = (rows: ReadonlyArray<MessageSummary>) => [...new Set(rows.map((r) => r.account_id))];

function chunks<T>(items: ReadonlyArray<T>, size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function useMessageActions(callbacks: ActionCallbacks): MessageActions {
  const client = useClient();
  const cb = useRef(callbacks);
  cb.current = callbacks;

  const changeFlag = useCallback(
    async (rows: ReadonlyArray<MessageSummary>, flag: string, on: boolean) => {
      const todo = rows.filter((r) => r.flags.includes(flag) !== on);
      if (todo.length === 0) return;
      const add = on ? [flag] : [];
      const remove = on ? [] : [flag];
      for (const r of todo) cb.current.applyFlags(r.id, applyFlagChange(r.flags, add, remove));
      const errors: string[] = [];
      for (const batch of chunks(todo, FLAG_CALLS_AT_ONCE)) {
        await Promise.all(
          batch.map((r) =>
            client.call('mail:messages.setFlags', { id: r.id, add, remove }).then(
              (res) => cb.current.applyFlags(r.id, res.flags),
              (err: unknown) => {
                errors.push(toIpcError(err).message);
              },
            ),
          ),
        );
      }
      const accounts = accountsOf(todo);
      if (errors.length > 0) cb.current.failed(`Could not change ${plural(errors.length, 'message')}: ${errors[0] ?? ''}`, accounts);
      cb.current.settled(accounts);
    },
    [client],
  );

  const setSeen = useCallback((rows: ReadonlyArray<MessageSummary>, seen: boolean) => void changeFlag(rows, SEEN, seen), [changeFlag]);
  const setFlagged = useCallback(
    (rows: ReadonlyArray<MessageSummary>, flagged: boolean) => void changeFlag(rows, FLAGGED, flagged),
    [changeFlag],
  );

  const move = useCallback(
    (rows: ReadonlyArray<MessageSummary>, to: { account_id: string; folder: string }, label: string) => {
      const todo = rows.filter((r) => r.account_id === to.account_id && r.folder !== to.folder);
      if (todo.length === 0) return;
      cb.current.removeRows(new Set(todo.map((r) => r.id)));
      void (async () => {
        let moved = 0;
        try {
          for (const batch of chunks(todo, IDS_PER_CALL)) {
            moved += (await client.call('mail:messages.move', { ids: batch.map((r) => r.id), to: to.folder })).moved;
          }
          cb.current.info(`Moved ${plural(moved, 'message')} to ${label}.`);
          if (moved > 0) cb.current.undoable?.(`Moved ${plural(moved, 'message')} to ${label}.`);
        } catch (err) {
          cb.current.failed(`Could not move ${plural(todo.length, 'message')} to ${label}: ${toIpcError(err).message}`, [to.account_id]);
        }
        cb.current.settled([to.account_id]);
      })();
    },
    [client],
  );

  const remove = useCallback(
    (rows: ReadonlyArray<MessageSummary>) => {
      if (rows.length === 0) return;
      cb.current.removeRows(new Set(rows.map((r) => r.id)));
      const accounts = accountsOf(rows);
      void (async () => {
        let toTrash = 0;
        let permanently = 0;
        try {
          for (const batch of chunks(rows, IDS_PER_CALL)) {
            const r = await client.call('mail:messages.delete', { ids: batch.map((m) => m.id) });
            toTrash += r.to_trash;
            permanently += r.permanently;
          }
          const parts = [toTrash > 0 ? `moved ${plural(toTrash, 'message')} to Trash` : '', permanently > 0 ? `deleted ${plural(permanently, 'message')} for good` : ''].filter(Boolean);
          const text = parts.join(' and ');
          cb.current.info(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
          if (toTrash > 0) cb.current.undoable?.(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
        } catch (err) {
          cb.current.failed(`Could not delete ${plural(rows.length, 'message')}: ${toIpcError(err).message}`, accounts);
        }
        cb.current.settled(accounts);
      })();
    },
    [client],
  );

  return { setSeen, setFlagged, move, remove };
}
