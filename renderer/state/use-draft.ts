/**
 * The draft behind an open composer: saved with mail:drafts.save two seconds
 * after the last change and when the composer is closed, always under the
 * same draft_id (the engine keeps one current version, here and in the
 * server's Drafts folder). Saves run one after another, so the first one's
 * draft_id is the one every later save replaces.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { draftFieldsOf, isEmptyMessage, type ComposerFields } from '../lib/composer-fields.ts';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export const AUTOSAVE_DELAY_MS = 2000;

export interface DraftSaveStatus {
  saving: boolean;
  savedIso: string | null;
  error: ShownError | null;
}

export interface DraftState {
  status: DraftSaveStatus;
  /** The composer changed: save after a quiet moment. */
  changed: (fields: ComposerFields) => void;
  /** Saves what is unsaved now (if anything); resolves with the draft's id (null: none exists), rejects with the IpcError. */
  flush: () => Promise<number | null>;
  /** Waits for a save under way; resolves with the draft's id (null: none exists yet). */
  settledId: () => Promise<number | null>;
  /** No more saves (the message is being sent, or the draft discarded); pending ones are dropped. */
  seal: () => Promise<number | null>;
  /** Saves may happen again (a send failed and the person keeps editing). */
  unseal: () => void;
  /** Deletes the draft here and on the server (when one was saved). */
  discard: () => Promise<void>;
}

/**
 * `initialFields` without a draft id (a message taken back with Undo) is
 * unsaved content: it is saved like a change, so closing keeps it.
 */
export function useDraft(initialDraftId: number | null, initialFields?: ComposerFields): DraftState {
  const client = useClient();
  const draftId = useRef<number | null>(initialDraftId);
  const latest = useRef<ComposerFields | null>(initialFields ?? null);
  const dirty = useRef(initialDraftId === null && initialFields !== undefined);
  const sealed = useRef(false);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  const lastError = useRef<ShownError | null>(null);
  const [status, setStatus] = useState<DraftSaveStatus>({ saving: false, savedIso: null, error: null });

  const clearTimer = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
  };

  const saveNow = useCallback((): Promise<void> => {
    clearTimer();
    chain.current = chain.current.then(async () => {
      const fields = latest.current;
      if (!dirty.current || sealed.current || !fields) return;
      // Nothing worth keeping, and nothing kept yet: no draft.
      if (draftId.current === null && isEmptyMessage(fields)) {
        dirty.current = false;
        return;
      }
      dirty.current = false;
      if (alive.current) setStatus((s) => ({ ...s, saving: true, error: null }));
      try {
        const r = await client.call('mail:drafts.save', { ...draftFieldsOf(fields), ...(draftId.current === null ? {} : { draft_id: draftId.current }) });
        draftId.current = r.draft_id;
        lastError.current = null;
        if (alive.current) setStatus({ saving: false, savedIso: r.saved_iso, error: null });
      } catch (err) {
        // Unsaved again: the next change or the close tries once more.
        dirty.current = true;
        lastError.current = toIpcError(err);
        if (alive.current) setStatus((s) => ({ ...s, saving: false, error: lastError.current }));
      }
    });
    return chain.current;
  }, [client]);

  const changed = useCallback(
    (fields: ComposerFields) => {
      latest.current = fields;
      dirty.current = true;
      if (sealed.current) return;
      clearTimer();
      timer.current = setTimeout(() => void saveNow(), AUTOSAVE_DELAY_MS);
    },
    [saveNow],
  );

  const flush = useCallback(async () => {
    await saveNow();
    if (dirty.current && lastError.current) throw lastError.current;
    return draftId.current;
  }, [saveNow]);

  const settledId = useCallback(async () => {
    await chain.current;
    return draftId.current;
  }, []);

  const seal = useCallback(async () => {
    clearTimer();
    await chain.current;
    sealed.current = true;
    return draftId.current;
  }, []);

  const unseal = useCallback(() => {
    sealed.current = false;
  }, []);

  const discard = useCallback(async () => {
    clearTimer();
    await chain.current;
    sealed.current = true;
    dirty.current = false;
    const id = draftId.current;
    if (id === null) return;
    await client.call('mail:drafts.delete', { draft_id: id });
    draftId.current = null;
  }, [client]);

  useEffect(() => {
    alive.current = true;
    if (dirty.current && !sealed.current) timer.current = setTimeout(() => void saveNow(), AUTOSAVE_DELAY_MS);
    return () => {
      alive.current = false;
      clearTimer();
    };
  }, [saveNow]);

  return { status, changed, flush, settledId, seal, unseal, discard };
}

/**
 * Opens a message of the Drafts folder (saved here or by any other client)
 * for editing: mail:drafts.open makes it a draft of ours, mail:drafts.get
 * gives its fields. Rejects with the IpcError.
 */
export function useDraftOpener(): (messageId: number) => Promise<{ draftId: number; fields: ComposerFields }> {
  const client = useClient();
  return useCallback(
    async (messageId: number) => {
      const { draft_id } = await client.call('mail:drafts.open', { id: messageId });
      const d = await client.call('mail:drafts.get', { draft_id });
      return {
        draftId: draft_id,
        fields: { account_id: d.account_id, to: d.to, cc: d.cc, bcc: d.bcc, subject: d.subject, text: d.text, attachments: d.attachments },
      };
    },
    [client],
  );
}
