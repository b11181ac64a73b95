/**
 * The composer form: recipients, subject, plain text, attachments. It shapes
 * a SendInput and shows what the caller reports back (progress, result,
 * error, draft saved); sending and saving are the caller's business. Every
 * change is reported (for the draft autosave); closing asks whether to keep
 * the draft or discard it.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AccountSummary, SendInput } from '../../src-protocol/contract/index.ts';
import { ERROR_CODES } from '../../src-protocol/contract/index.ts';
import { splitAddressList } from '../lib/address-list.ts';
import type { ComposerFields } from '../lib/composer-fields.ts';
import { bytesToBase64 } from '../lib/bytes.ts';
import { humanSize } from '../lib/format.ts';
import type { ShownError } from '../lib/loadable.ts';
import { CloseIcon, FileIcon, PaperclipIcon, SentIcon } from './Icons.tsx';

export interface ComposerAttachment {
  key: number;
  filename: string;
  content_type: string;
  size: number;
  data_base64: string;
}

export interface ComposerProps {
  accounts: ReadonlyArray<AccountSummary>;
  defaultAccountId: string | null;
  /** Reopened content (a draft, or a message taken back with Undo). */
  initial?: ComposerFields | undefined;
  sending: boolean;
  /** Every change, for the draft autosave. */
  onChange?: (fields: ComposerFields) => void;
  /** e.g. "Draft saved 14:02"; null when there is nothing to say. */
  draftStatus?: string | null;
  /** Escape or × asked to close: the keep-or-discard question is shown. */
  asking?: boolean;
  onKeep?: () => void;
  onDiscard?: () => void;
  onBackToEditing?: () => void;
  /** e.g. "Connecting…", "Sending 40%", from the engine's progress events. */
  progressText: string | null;
  error: ShownError | null;
  onSend: (input: SendInput) => void;
  onClose: () => void;
}

/** Large files are read into memory and sent through IPC as base64; keep that sane. */
const MAX_TOTAL_BYTES = 35 * 1024 * 1024;

/** Bytes a base64 string decodes to (without decoding it). */
function decodedLength(b64: string): number {
  const clean = b64.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

export function Composer(props: ComposerProps) {
  const initial = props.initial;
  const [accountId, setAccountId] = useState(initial?.account_id ?? props.defaultAccountId ?? props.accounts[0]?.id ?? '');
  const [to, setTo] = useState(initial?.to.join(', ') ?? '');
  const [cc, setCc] = useState(initial?.cc.join(', ') ?? '');
  const [bcc, setBcc] = useState(initial?.bcc.join(', ') ?? '');
  const [subject, setSubject] = useState(initial?.subject ?? '');
  const [text, setText] = useState(initial?.text ?? '');
  const nextKey = useRef(1);
  const [attachments, setAttachments] = useState<ComposerAttachment[]>(() =>
    (initial?.attachments ?? []).map((a) => ({
      key: nextKey.current++,
      filename: a.filename,
      content_type: a.content_type ?? 'application/octet-stream',
      size: decodedLength(a.data_base64),
      data_base64: a.data_base64,
    })),
  );
  const [localError, setLocalError] = useState<string | null>(null);
  const [reading, setReading] = useState(0);

  // Report changes (not the first render, nor a re-run that changed nothing).
  // Attachments compare by key: their contents never change in place.
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const shape = JSON.stringify([accountId, to, cc, bcc, subject, text, attachments.map((a) => a.key)]);
  const reported = useRef(shape);
  useEffect(() => {
    if (reported.current === shape) return;
    reported.current = shape;
    onChange.current?.({
      account_id: accountId,
      to: splitAddressList(to),
      cc: splitAddressList(cc),
      bcc: splitAddressList(bcc),
      subject,
      text,
      attachments: attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, data_base64: a.data_base64 })),
    });
  });

  const totalBytes = attachments.reduce((n, a) => n + a.size, 0);

  async function addFiles(files: FileList | null): Promise<void> {
    if (!files || files.length === 0) return;
    setLocalError(null);
    const list = [...files];
    const incoming = list.reduce((n, f) => n + f.size, 0);
    if (totalBytes + incoming > MAX_TOTAL_BYTES) {
      setLocalError(`Attachments can be at most ${humanSize(MAX_TOTAL_BYTES)} together.`);
      return;
    }
    setReading((n) => n + list.length);
    for (const file of list) {
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const item: ComposerAttachment = {
          key: nextKey.current++,
          filename: file.name,
          content_type: file.type || 'application/octet-stream',
          size: file.size,
          data_base64: bytesToBase64(bytes),
        };
        setAttachments((prev) => [...prev, item]);
      } catch {
        setLocalError(`Could not read ${file.name}.`);
      } finally {
        setReading((n) => n - 1);
      }
    }
  }

  function buildInput(): SendInput | string {
    const toList = splitAddressList(to);
    if (toList.length === 0) return 'Add at least one recipient in To.';
    if (!accountId) return 'Choose the account to send from.';
    return {
      account_id: accountId,
      to: toList,
      cc: splitAddressList(cc),
      bcc: splitAddressList(bcc),
      subject,
      text,
      attachments: attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, data_base64: a.data_base64 })),
    };
  }

  function submit(e?: FormEvent): void {
    e?.preventDefault();
    if (props.sending || reading > 0) return;
    const input = buildInput();
    if (typeof input === 'string') {
      setLocalError(input);
      return;
    }
    setLocalError(null);
    props.onSend(input);
  }

  function onKeyDown(e: KeyboardEvent<HTMLFormElement>): void {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (!props.asking) submit();
    }
  }

  // The question takes the focus, so Enter keeps the draft.
  const keepButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (props.asking) keepButton.current?.focus();
  }, [props.asking]);

  const from = props.accounts.find((a) => a.id === accountId);
  const error = localError ?? (props.error ? props.error.message : null);
  return (
    <form className="form composer" onSubmit={submit} onKeyDown={onKeyDown} noValidate data-testid="composer">
      <fieldset disabled={props.sending || props.asking} className="composer-fields">
        {props.accounts.length > 1 ? (
          <label className="compose-row">
            <span>From</span>
            <select value={accountId} onChange={(e) => setAccountId(e.target.value)} data-testid="compose-from">
              {props.accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} &lt;{a.email}&gt;
                </option>
              ))}
            </select>
          </label>
        ) : (
          <div className="compose-row">
            <span>From</span>
            <span className="compose-from-static" data-testid="compose-from">
              {from ? `${from.name} <${from.email}>` : '—'}
            </span>
          </div>
        )}
        <label className="compose-row">
          <span>To</span>
          <input value={to} data-autofocus onChange={(e) => setTo(e.target.value)} placeholder="name@example.com, …" spellCheck={false} autoCapitalize="off" data-testid="compose-to" />
        </label>
        <label className="compose-row">
          <span>Cc</span>
          <input value={cc} onChange={(e) => setCc(e.target.value)} spellCheck={false} autoCapitalize="off" data-testid="compose-cc" />
        </label>
        <label className="compose-row">
          <span>Bcc</span>
          <input value={bcc} onChange={(e) => setBcc(e.target.value)} spellCheck={false} autoCapitalize="off" data-testid="compose-bcc" />
        </label>
        <label className="compose-row">
          <span>Subject</span>
          <input value={subject} onChange={(e) => setSubject(e.target.value)} data-testid="compose-subject" />
        </label>
        <label className="compose-body">
          <span className="visually-hidden">Message</span>
          <textarea value={text} onChange={(e) => setText(e.target.value)} placeholder="Write your message…" data-testid="compose-body" />
        </label>
        {attachments.length > 0 && (
          <ul className="compose-attachments" aria-label="Attachments">
            {attachments.map((a) => (
              <li key={a.key} className="compose-attachment" data-testid="compose-attachment">
                <FileIcon size={16} />
                <span className="attachment-name">{a.filename}</span>
                <span className="muted">{humanSize(a.size)}</span>
                <button
                  type="button"
                  className="icon-button icon-button-small"
                  aria-label={`Remove ${a.filename}`}
                  onClick={() => setAttachments((prev) => prev.filter((x) => x.key !== a.key))}
                  data-testid="compose-attachment-remove"
                >
                  <CloseIcon size={14} />
                </button>
              </li>
            ))}
          </ul>
        )}
      </fieldset>

      {error && (
        <div className="form-error" role="alert" data-testid="compose-error">
          {props.error && !localError && props.error.message !== ERROR_CODES[props.error.code] && (
            <strong>{ERROR_CODES[props.error.code]}</strong>
          )}
          <span className="error-message">{error}</span>
        </div>
      )}

      {props.asking ? (
        <div className="composer-actions composer-ask" role="alertdialog" aria-label="Keep this draft?" data-testid="compose-ask">
          <span className="composer-ask-text">Keep this message as a draft?</span>
          <button type="button" className="button button-quiet" onClick={props.onBackToEditing} data-testid="compose-ask-back">
            Back to editing
          </button>
          <button type="button" className="button button-danger" onClick={props.onDiscard} data-testid="compose-ask-discard">
            Discard
          </button>
          <button type="button" ref={keepButton} className="button button-primary" onClick={props.onKeep} data-testid="compose-ask-keep">
            Keep draft
          </button>
        </div>
      ) : (
        <div className="composer-actions">
          <label className={`button button-quiet file-button${props.sending ? ' is-disabled' : ''}`}>
            <PaperclipIcon size={16} /> Attach files
            <input
              type="file"
              multiple
              className="visually-hidden"
              disabled={props.sending}
              onChange={(e) => {
                void addFiles(e.target.files);
                e.target.value = '';
              }}
              data-testid="compose-files"
            />
          </label>
          <span className="composer-status" role="status" data-testid="compose-status">
            {props.sending ? (props.progressText ?? 'Sending…') : reading > 0 ? 'Reading files…' : (props.draftStatus ?? '')}
          </span>
          <button type="button" className="button button-quiet" onClick={props.onDiscard ?? props.onClose} disabled={props.sending} data-testid="compose-discard">
            Discard
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={props.sending || reading > 0}
            title="Send (Ctrl+Enter)"
            data-testid="compose-send"
          >
            <SentIcon size={16} /> {props.sending ? 'Sending…' : 'Send'}
          </button>
        </div>
      )}
    </form>
  );
}
