/**
 * The composer form: From (an identity of an account), recipients with
 * completion, subject, plain or rich text, attachments (picker, drag and
 * drop, paste). It shapes a SendInput and shows what the caller reports back
 * (progress, result, error, draft saved); sending and saving are the
 * caller's business. Every change is reported (for the draft autosave);
 * closing asks whether to keep the draft or discard it. Before sending, the
 * estimated size is checked against the server's SIZE and the warning size.
 */
import { useEffect, useMemo, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import type { AccountSummary, Contact, Identity, OutgoingAttachment, SendInput } from '../../src-protocol/contract/index.ts';
import { ERROR_CODES } from '../../src-protocol/contract/index.ts';
import { splitAddressList } from '../lib/address-list.ts';
import type { ComposeOrigin, ComposerFields } from '../lib/composer-fields.ts';
import { bytesToBase64 } from '../lib/bytes.ts';
import { humanSize } from '../lib/format.ts';
import type { ShownError } from '../lib/loadable.ts';
import { estimateMessageSize, sizeVerdict } from '../lib/message-size.ts';
import { htmlForSending, htmlFromText, newContentId } from '../lib/rich-text.ts';
import { AddressField } from './AddressField.tsx';
import { CloseIcon, FileIcon, PaperclipIcon, SentIcon } from './Icons.tsx';
import { RichTextEditor, type InlineImageShown } from './RichTextEditor.tsx';

export interface ComposerAttachment {
  key: number;
  filename: string;
  content_type: string;
  size: number;
  data_base64: string;
}

interface InlineImage {
  cid: string;
  filename: string;
  content_type: string;
  data_base64: string;
  size: number;
}

export interface ComposerProps {
  accounts: ReadonlyArray<AccountSummary>;
  defaultAccountId: string | null;
  /** Reopened content (a draft, a message taken back with Undo, a reply or forward). */
  initial?: ComposerFields | undefined;
  /** A reply or forward: passed to mail:send with the message. */
  origin?: ComposeOrigin | undefined;
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
  /** Address completion (mail:contacts.search). */
  suggest?: (query: string) => Promise<Contact[]>;
  /** The chosen account's submission server's SIZE (null: none advertised; undefined: not known yet). */
  serverMaxSize?: number | null | undefined;
  /** Warn (and ask once) above this many bytes. */
  warnBytes: number;
}

/** Large files are read into memory and sent through IPC as base64; keep that sane. */
const MAX_TOTAL_BYTES = 35 * 1024 * 1024;
const SIGNATURE_SEPARATOR = '-- \n';

/** Bytes a base64 string decodes to (without decoding it). */
function decodedLength(b64: string): number {
  const clean = b64.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

const signatureBlock = (sig: string) => (sig.trim() ? `\n\n${SIGNATURE_SEPARATOR}${sig}` : '');

/** Every From the person can choose: each identity of each account. */
function identitiesOf(accounts: ReadonlyArray<AccountSummary>): Array<{ account: AccountSummary; identity: Identity }> {
  return accounts.flatMap((account) =>
    (account.identities.length > 0 ? account.identities : [{ name: account.name, address: account.email, signature: '' }]).map((identity) => ({ account, identity })),
  );
}

const fromKey = (accountId: string, address: string) => `${accountId}\u0000${address.toLowerCase()}`;

function identityLabel(i: Identity): string {
  return i.name ? `${i.name} <${i.address}>` : i.address;
}

export function Composer(props: ComposerProps) {
  const initial = props.initial;
  const choices = useMemo(() => identitiesOf(props.accounts), [props.accounts]);
  const [accountId, setAccountId] = useState(initial?.account_id ?? props.defaultAccountId ?? props.accounts[0]?.id ?? '');
  const [fromAddress, setFromAddress] = useState(() => {
    const want = initial?.from?.toLowerCase();
    const ofAccount = choices.filter((c) => c.account.id === accountId);
    return (ofAccount.find((c) => c.identity.address.toLowerCase() === want) ?? ofAccount[0])?.identity.address ?? '';
  });
  const identity = choices.find((c) => c.account.id === accountId && c.identity.address.toLowerCase() === fromAddress.toLowerCase())?.identity;
  const [to, setTo] = useState(initial?.to.join(', ') ?? '');
  const [cc, setCc] = useState(initial?.cc.join(', ') ?? '');
  const [bcc, setBcc] = useState(initial?.bcc.join(', ') ?? '');
  const [subject, setSubject] = useState(initial?.subject ?? '');
  // A new message starts with the identity's signature; reopened content has its own.
  const [text, setText] = useState(() => initial?.text ?? signatureBlock(identity?.signature ?? ''));
  const [rich, setRich] = useState(initial?.html !== undefined);
  const [html, setHtml] = useState(initial?.html ?? '');
  /** Changes each time the editor is (re)opened with new content. */
  const [editorKey, setEditorKey] = useState(0);
  const nextKey = useRef(1);
  const [inline, setInline] = useState<InlineImage[]>(() =>
    (initial?.attachments ?? []).filter((a) => a.content_id && initial?.html !== undefined).map((a) => ({
      cid: a.content_id ?? '', filename: a.filename, content_type: a.content_type ?? 'application/octet-stream', data_base64: a.data_base64, size: decodedLength(a.data_base64),
    })),
  );
  const [attachments, setAttachments] = useState<ComposerAttachment[]>(() =>
    (initial?.attachments ?? []).filter((a) => !(a.content_id && initial?.html !== undefined)).map((a) => ({
      key: nextKey.current++,
      filename: a.filename,
      content_type: a.content_type ?? 'application/octet-stream',
      size: decodedLength(a.data_base64),
      data_base64: a.data_base64,
    })),
  );
  const [localError, setLocalError] = useState<string | null>(null);
  const [reading, setReading] = useState(0);
  const [dropping, setDropping] = useState(false);
  /** The size warning was shown once; sending again goes ahead. */
  const [sizeConfirmed, setSizeConfirmed] = useState(false);

  const usedInline = useMemo(() => (rich ? inline.filter((i) => html.includes(i.cid)) : []), [rich, inline, html]);
  const outgoing = (): OutgoingAttachment[] => [
    ...attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, data_base64: a.data_base64 })),
    ...usedInline.map((i) => ({ filename: i.filename, content_type: i.content_type, content_id: i.cid, data_base64: i.data_base64 })),
  ];

  // Report changes (not the first render, nor a re-run that changed nothing).
  // Attachments compare by key: their contents never change in place.
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const shape = JSON.stringify([accountId, fromAddress, to, cc, bcc, subject, text, rich, html, attachments.map((a) => a.key), usedInline.map((i) => i.cid)]);
  const reported = useRef(shape);
  useEffect(() => {
    if (reported.current === shape) return;
    reported.current = shape;
    onChange.current?.({
      account_id: accountId,
      from: fromAddress || undefined,
      to: splitAddressList(to),
      cc: splitAddressList(cc),
      bcc: splitAddressList(bcc),
      subject,
      text,
      html: rich ? html : undefined,
      attachments: outgoing(),
    });
  });

  const totalBytes = attachments.reduce((n, a) => n + a.size, 0) + usedInline.reduce((n, i) => n + i.size, 0);
  const estimated = estimateMessageSize([...attachments.map((a) => a.size), ...usedInline.map((i) => i.size)], rich ? html.length * 2 : text.length);
  const verdict = sizeVerdict(estimated, props.serverMaxSize, props.warnBytes);

  async function readFiles(files: File[]): Promise<Array<{ file: File; data_base64: string }>> {
    if (files.length === 0) return [];
    setLocalError(null);
    const incoming = files.reduce((n, f) => n + f.size, 0);
    if (totalBytes + incoming > MAX_TOTAL_BYTES) {
      setLocalError(`Attachments can be at most ${humanSize(MAX_TOTAL_BYTES)} together.`);
      return [];
    }
    setReading((n) => n + files.length);
    const out: Array<{ file: File; data_base64: string }> = [];
    for (const file of files) {
      try {
        out.push({ file, data_base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) });
      } catch {
        setLocalError(`Could not read ${file.name || 'a file'}.`);
      } finally {
        setReading((n) => n - 1);
      }
    }
    return out;
  }

  async function addFiles(files: File[]): Promise<void> {
    for (const { file, data_base64 } of await readFiles(files)) {
      const item: ComposerAttachment = {
        key: nextKey.current++,
        filename: file.name || 'attachment',
        content_type: file.type || 'application/octet-stream',
        size: file.size,
        data_base64,
      };
      setAttachments((prev) => [...prev, item]);
      setSizeConfirmed(false);
    }
  }

  async function addInlineImages(files: File[]): Promise<InlineImageShown[]> {
    const shown: InlineImageShown[] = [];
    for (const { file, data_base64 } of await readFiles(files)) {
      const cid = newContentId();
      const ext = (file.type.split('/')[1] ?? 'png').replace(/[^a-z0-9]/gi, '') || 'png';
      const image: InlineImage = { cid, filename: file.name || `image.${ext}`, content_type: file.type || 'image/png', data_base64, size: file.size };
      setInline((prev) => [...prev, image]);
      shown.push({ cid, src: `data:${image.content_type};base64,${data_base64}`, alt: image.filename });
    }
    setSizeConfirmed(false);
    return shown;
  }

  // From: another identity (perhaps of another account) takes its signature along.
  function chooseFrom(value: string): void {
    const next = choices.find((c) => fromKey(c.account.id, c.identity.address) === value);
    if (!next) return;
    const oldBlock = signatureBlock(identity?.signature ?? '');
    const newBlock = signatureBlock(next.identity.signature);
    if (!rich) {
      setText((t) => {
        if (oldBlock && t.endsWith(oldBlock)) return t.slice(0, t.length - oldBlock.length) + newBlock;
        if (!oldBlock && newBlock && !initial && !t.includes(SIGNATURE_SEPARATOR)) return t + newBlock;
        return t;
      });
    }
    setAccountId(next.account.id);
    setFromAddress(next.identity.address);
  }

  function toggleRich(): void {
    if (rich) {
      // Back to plain text: the words stay, formatting and inline images go.
      const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
      for (const q of Array.from(doc.querySelectorAll('blockquote'))) {
        q.replaceWith(doc.createTextNode((q.textContent ?? '').split('\n').map((l) => `> ${l}`).join('\n')));
      }
      for (const br of Array.from(doc.querySelectorAll('br'))) br.replaceWith('\n');
      for (const d of Array.from(doc.querySelectorAll('div,p,li'))) d.append('\n');
      setText((doc.body.textContent ?? '').replace(/\n{3,}/g, '\n\n').replace(/\n$/, ''));
      setRich(false);
    } else {
      setHtml(htmlFromText(text));
      setEditorKey((k) => k + 1);
      setRich(true);
    }
  }

  function buildInput(): SendInput | string {
    const toList = splitAddressList(to);
    if (toList.length === 0) return 'Add at least one recipient in To.';
    if (!accountId) return 'Choose the account to send from.';
    const base: SendInput = {
      account_id: accountId,
      to: toList,
      cc: splitAddressList(cc),
      bcc: splitAddressList(bcc),
      subject,
      text: rich ? '' : text,
      attachments: [],
      ...(fromAddress ? { from: fromAddress } : {}),
      ...(props.origin?.in_reply_to_id !== undefined ? { in_reply_to_id: props.origin.in_reply_to_id } : {}),
      ...(props.origin?.forward_of_id !== undefined ? { forward_of_id: props.origin.forward_of_id, forward_as_attachment: props.origin.forward_as_attachment ?? false } : {}),
    };
    if (!rich) return { ...base, attachments: outgoing() };
    const sent = htmlForSending(html);
    const inlineParts = inline.filter((i) => sent.cids.has(i.cid));
    return {
      ...base,
      html: sent.html,
      attachments: [
        ...attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, data_base64: a.data_base64 })),
        ...inlineParts.map((i) => ({ filename: i.filename, content_type: i.content_type, content_id: i.cid, data_base64: i.data_base64 })),
      ],
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
    if (verdict.kind === 'over-limit') {
      setLocalError(`This message is about ${humanSize(verdict.size)}; the server accepts at most ${humanSize(verdict.limit)}. Remove some attachments.`);
      return;
    }
    if (verdict.kind === 'large' && !sizeConfirmed) {
      setSizeConfirmed(true);
      setLocalError(`This message is about ${humanSize(verdict.size)}, which many servers refuse. Send again to send it anyway.`);
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

  // Files dragged onto the composer (anywhere but the rich editor, which
  // takes images inline) or pasted outside the editor are attachments.
  const carriesFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  const onDragOver = (e: DragEvent<HTMLFormElement>) => {
    if (!carriesFiles(e) || props.sending || props.asking) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  };
  const onDrop = (e: DragEvent<HTMLFormElement>) => {
    setDropping(false);
    if (e.dataTransfer.files.length === 0 || props.sending || props.asking) return;
    e.preventDefault();
    void addFiles(Array.from(e.dataTransfer.files));
  };
  const onPaste = (e: ClipboardEvent<HTMLFormElement>) => {
    const files = Array.from(e.clipboardData.files);
    if (files.length === 0 || e.defaultPrevented) return;
    e.preventDefault();
    void addFiles(files);
  };

  // The question takes the focus, so Enter keeps the draft.
  const keepButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (props.asking) keepButton.current?.focus();
  }, [props.asking]);

  const error = localError ?? (props.error ? props.error.message : null);
  const single = choices.length === 1 ? choices[0] : undefined;
  return (
    <form
      className={`form composer${dropping ? ' is-dropping' : ''}`}
      onSubmit={submit}
      onKeyDown={onKeyDown}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDropping(false);
      }}
      onDrop={onDrop}
      onPaste={onPaste}
      noValidate
      data-testid="composer"
    >
      <fieldset disabled={props.sending || props.asking} className="composer-fields">
        {single ? (
          <div className="compose-row">
            <span>From</span>
            <span className="compose-from-static" data-testid="compose-from">
              {identityLabel(single.identity)}
            </span>
          </div>
        ) : (
          <label className="compose-row">
            <span>From</span>
            <select value={fromKey(accountId, fromAddress)} onChange={(e) => chooseFrom(e.target.value)} data-testid="compose-from">
              {choices.map((c) => (
                <option key={fromKey(c.account.id, c.identity.address)} value={fromKey(c.account.id, c.identity.address)}>
                  {identityLabel(c.identity)}
                  {props.accounts.length > 1 && c.identity.address.toLowerCase() !== c.account.email.toLowerCase() ? ` (${c.account.name})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <AddressField label="To" value={to} onChange={setTo} suggest={props.suggest} placeholder="name@example.com, …" testId="compose-to" autoFocus={!initial || initial.to.length === 0} />
        <AddressField label="Cc" value={cc} onChange={setCc} suggest={props.suggest} testId="compose-cc" />
        <AddressField label="Bcc" value={bcc} onChange={setBcc} suggest={props.suggest} testId="compose-bcc" />
        <label className="compose-row">
          <span>Subject</span>
          <input value={subject} onChange={(e) => setSubject(e.target.value)} data-testid="compose-subject" />
        </label>
        <div className="compose-mode">
          <span className="mode-pair" role="group" aria-label="Format">
            <button type="button" className={`button button-quiet button-small${rich ? '' : ' is-on'}`} aria-pressed={!rich} onClick={rich ? toggleRich : undefined} data-testid="compose-plain-toggle">
              Plain text
            </button>
            <button type="button" className={`button button-quiet button-small${rich ? ' is-on' : ''}`} aria-pressed={rich} onClick={rich ? undefined : toggleRich} data-testid="compose-rich-toggle">
              Rich text
            </button>
          </span>
          <span className="muted">{rich ? 'Formatting and inline images; a plain-text copy goes along.' : 'Sent as plain text only.'}</span>
        </div>
        {rich ? (
          <RichTextEditor
            key={editorKey}
            initialHtml={html}
            onChange={(h) => setHtml(h)}
            onImages={addInlineImages}
            onFiles={(files) => void addFiles(files)}
            disabled={props.sending || !!props.asking}
          />
        ) : (
          <label className="compose-body">
            <span className="visually-hidden">Message</span>
            <textarea
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="Write your message…"
              data-testid="compose-body"
              {...(initial && initial.to.length > 0 ? { 'data-autofocus': true } : {})}
              ref={(el) => {
                // A reply starts above the quote.
                if (el && initial && initial.to.length > 0 && el.dataset.placed !== '1') {
                  el.dataset.placed = '1';
                  el.setSelectionRange(0, 0);
                }
              }}
            />
          </label>
        )}
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
        {props.origin?.forward_as_attachment && (
          <p className="muted compose-note" data-testid="compose-forward-note">
            The original message goes along whole, as an attachment.
          </p>
        )}
        {verdict.kind !== 'ok' && (
          <p className="form-warning" role="status" data-testid="compose-size-warning">
            {verdict.kind === 'over-limit'
              ? `About ${humanSize(verdict.size)}: more than the ${humanSize(verdict.limit)} the server accepts.`
              : `About ${humanSize(verdict.size)}: larger than ${humanSize(verdict.warn)}; some servers refuse messages this large.`}
          </p>
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
                void addFiles(Array.from(e.target.files ?? []));
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
