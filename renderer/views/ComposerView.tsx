/**
 * The composer dialog wired to the engine: the draft autosave
 * (mail:drafts.save), sending through the outbox with the undo window, and
 * the keep-or-discard question when it is closed with Escape or ×.
 */
import { useRef, useState } from 'react';
import type { AccountSummary, Progress, SendInput, SendResult } from '../../src-protocol/contract/index.ts';
import { Composer } from '../components/Composer.tsx';
import { Modal } from '../components/Modal.tsx';
import { amountOf, phaseInWords } from '../components/StatusBar.tsx';
import { toIpcError } from '../ipc/client.ts';
import { isEmptyMessage, type ComposeOrigin, type ComposerFields } from '../lib/composer-fields.ts';
import { warnBytes } from '../lib/message-size.ts';
import { useContactSuggest, useSmtpLimit } from '../state/use-compose-help.ts';
import type { ShownError } from '../lib/loadable.ts';
import { useDraft, type DraftSaveStatus } from '../state/use-draft.ts';
import { useSend } from '../state/use-send.ts';

/** What the composer opens with: a saved draft, a message taken back with Undo, a reply or forward. */
export interface ComposerStart {
  fields: ComposerFields;
  draftId: number | null;
  /** A reply or forward (and of which message). */
  origin?: ComposeOrigin | undefined;
  /** The dialog's title ("Reply", "Forward"); "New message" when absent. */
  title?: string | undefined;
}

export interface ComposerViewProps {
  accounts: ReadonlyArray<AccountSummary>;
  defaultAccountId: string | null;
  start?: ComposerStart | undefined;
  progress: ReadonlyArray<Progress>;
  /** The message is in the outbox (waiting out the undo window) or already sent. */
  onSent: (input: SendInput, result: SendResult) => void;
  /** Closed; `kept` when a draft was kept. */
  onClose: (kept: boolean) => void;
}

function progressText(p: Progress | undefined): string | null {
  if (!p) return null;
  const words = phaseInWords(p.phase);
  return `Sending: ${words.charAt(0).toUpperCase()}${words.slice(1)}${amountOf(p)}…`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });

function draftText(s: DraftSaveStatus): string | null {
  if (s.saving) return 'Saving draft…';
  if (s.error) return `Draft not saved: ${s.error.message}`;
  if (s.savedIso) return `Draft saved at ${timeFmt.format(new Date(s.savedIso))}`;
  return null;
}

export function ComposerView(props: ComposerViewProps) {
  const { status, send } = useSend();
  const draft = useDraft(props.start?.draftId ?? null, props.start?.fields);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [closeError, setCloseError] = useState<ShownError | null>(null);
  const latest = useRef<ComposerFields | null>(props.start?.fields ?? null);
  const hasDraft = useRef(props.start?.draftId !== undefined && props.start.draftId !== null);
  const sending = status.state === 'sending' || busy;
  const suggest = useContactSuggest();
  const [accountId, setAccountId] = useState<string | null>(props.start?.fields.account_id ?? props.defaultAccountId ?? props.accounts[0]?.id ?? null);
  const serverMaxSize = useSmtpLimit(accountId);
  const [warnAt] = useState(() => warnBytes());
  const origin = props.start?.origin;
  const current = sending ? props.progress.find((p) => p.task === 'send') : undefined;

  const requestClose = () => {
    if (asking) {
      setAsking(false); // Escape again: back to the message
      return;
    }
    const fields = latest.current;
    if (!hasDraft.current && draft.status.savedIso === null && (!fields || isEmptyMessage(fields))) {
      void draft.discard().finally(() => props.onClose(false));
      return;
    }
    setAsking(true);
  };

  const keep = async () => {
    setBusy(true);
    setCloseError(null);
    try {
      await draft.flush();
      await draft.seal();
      props.onClose(true);
    } catch (err) {
      setCloseError(toIpcError(err));
      setBusy(false);
      setAsking(false);
    }
  };

  const discard = async () => {
    setBusy(true);
    setCloseError(null);
    try {
      await draft.discard();
      props.onClose(false);
    } catch (err) {
      setCloseError(toIpcError(err));
      draft.unseal();
      setBusy(false);
      setAsking(false);
    }
  };

  const onSend = async (input: SendInput) => {
    setBusy(true);
    setCloseError(null);
    let draftId: number | null;
    try {
      // A saved draft is sent as saved: its latest edits go in first.
      draftId = await draft.settledId();
      if (draftId !== null) draftId = await draft.flush();
      await draft.seal();
    } catch (err) {
      setCloseError(toIpcError(err));
      setBusy(false);
      return;
    }
    setBusy(false);
    // What drafts cannot keep (HTML, another identity, a reply's origin) is sent from here.
    const own = props.accounts.find((a) => a.id === input.account_id)?.email.toLowerCase();
    const whole = input.html !== undefined || input.in_reply_to_id !== undefined || input.forward_of_id !== undefined || (input.from !== undefined && input.from.toLowerCase() !== own);
    const result = await send(input, draftId, whole);
    if (result) props.onSent(input, result);
    else draft.unseal();
  };

  const error = closeError ?? (status.state === 'error' ? status.error : null);
  return (
    <Modal title={props.start?.title ?? 'New message'} onClose={sending ? null : requestClose} className="modal-composer" testId="composer-dialog">
      <Composer
        accounts={props.accounts}
        defaultAccountId={props.defaultAccountId}
        initial={props.start?.fields}
        origin={origin}
        suggest={suggest}
        serverMaxSize={serverMaxSize}
        warnBytes={warnAt}
        sending={sending}
        progressText={progressText(current)}
        error={error}
        onChange={(fields) => {
          latest.current = fields;
          setAccountId(fields.account_id);
          draft.changed(fields);
        }}
        draftStatus={draftText(draft.status)}
        asking={asking}
        onKeep={() => void keep()}
        onDiscard={() => void discard()}
        onBackToEditing={() => setAsking(false)}
        onSend={(input) => void onSend(input)}
        onClose={requestClose}
      />
    </Modal>
  );
}
