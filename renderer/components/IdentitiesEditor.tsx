/**
 * The From addresses of an account (its own first, then aliases), each with
 * a name and a signature. It collects the list; the caller saves it and
 * hands back the error.
 */
import { useState, type FormEvent } from 'react';
import type { AccountSummary, Identity } from '../../src-protocol/contract/index.ts';
import type { ShownError } from '../lib/loadable.ts';
import { CloseIcon, PlusIcon } from './Icons.tsx';

export interface IdentitiesEditorProps {
  account: AccountSummary;
  busy: boolean;
  error: ShownError | null;
  onSave: (identities: Identity[]) => void;
  onCancel: () => void;
}

interface Row extends Identity {
  key: number;
}

export function IdentitiesEditor(props: IdentitiesEditorProps) {
  const { account } = props;
  const [next, setNext] = useState(1);
  const [rows, setRows] = useState<Row[]>(() => {
    const list = account.identities.length > 0 ? account.identities : [{ name: account.name, address: account.email, signature: '' }];
    return list.map((i, n) => ({ ...i, key: -1 - n }));
  });
  const [localError, setLocalError] = useState<string | null>(null);

  const update = (key: number, change: Partial<Identity>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = rows.map((r) => ({ name: r.name.trim(), address: r.address.trim(), signature: r.signature }));
    const bad = list.find((i) => !/^[^\s@]+@[^\s@]+$/.test(i.address));
    if (bad) {
      setLocalError(bad.address ? `"${bad.address}" is not an email address.` : 'Every identity needs an address.');
      return;
    }
    setLocalError(null);
    props.onSave(list);
  };

  const error = localError ?? props.error?.message ?? null;
  return (
    <form className="form identities-form" onSubmit={submit} noValidate data-testid="identities-form">
      <p className="hint">
        Addresses you send from with this account. The first is the account's own; replies are sent from the address the
        message was sent to.
      </p>
      <fieldset disabled={props.busy}>
        {rows.map((r, n) => {
          const own = n === 0;
          return (
            <fieldset key={r.key} className="server-fields identity" data-testid="identity">
              <legend>{own ? 'Account address' : `Alias ${n}`}</legend>
              <div className="form-grid">
                <label className="field">
                  <span>Name</span>
                  <input value={r.name} onChange={(e) => update(r.key, { name: e.target.value })} data-testid="identity-name" />
                </label>
                <label className="field">
                  <span>Address</span>
                  <input type="email" value={r.address} readOnly={own} onChange={(e) => update(r.key, { address: e.target.value })} data-testid="identity-address" />
                </label>
              </div>
              <label className="field">
                <span>Signature</span>
                <textarea rows={3} value={r.signature} onChange={(e) => update(r.key, { signature: e.target.value })} data-testid="identity-signature" />
              </label>
              {!own && (
                <button type="button" className="button button-quiet button-small" onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))} data-testid="identity-remove">
                  <CloseIcon size={14} /> Remove this address
                </button>
              )}
            </fieldset>
          );
        })}
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setRows((rs) => [...rs, { key: next, name: rs[0]?.name ?? '', address: '', signature: rs[0]?.signature ?? '' }]);
            setNext((k) => k + 1);
          }}
          data-testid="identity-add"
        >
          <PlusIcon size={16} /> Add an address
        </button>
      </fieldset>
      {error && (
        <div className="form-error" role="alert" data-testid="identities-error">
          <span className="error-message">{error}</span>
        </div>
      )}
      <div className="form-actions">
        <button type="button" className="button button-quiet" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={props.busy} data-testid="identities-save">
          {props.busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
