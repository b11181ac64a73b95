/** The app's preferences dialog: the composer's size warning and the undo-send window. */
import { useState, type FormEvent } from 'react';
import { Modal } from '../components/Modal.tsx';
import { checkPreference, PREFERENCE_LIMITS, readPreferences, writePreferences, type Preferences } from '../lib/preferences.ts';

export function PreferencesView(props: { onDone: (prefs: Preferences) => void; onClose: () => void }) {
  const [start] = useState(readPreferences);
  const [warn, setWarn] = useState(String(start.warnMiB));
  const [undo, setUndo] = useState(String(start.undoSeconds));
  const warnValue = warn.trim() === '' ? undefined : checkPreference('warnMiB', Number(warn));
  const undoValue = undo.trim() === '' ? undefined : checkPreference('undoSeconds', Number(undo));
  const warnBad = warnValue === undefined || warnValue !== Number(warn);
  const undoBad = undoValue === undefined || undoValue !== Number(undo);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (warnBad || undoBad || warnValue === undefined || undoValue === undefined) return;
    const prefs = { warnMiB: warnValue, undoSeconds: undoValue };
    writePreferences(prefs);
    props.onDone(prefs);
  };

  const w = PREFERENCE_LIMITS.warnMiB;
  const u = PREFERENCE_LIMITS.undoSeconds;
  return (
    <Modal title="Preferences" onClose={props.onClose} className="modal-small" testId="preferences-dialog">
      <form className="form folder-form" onSubmit={submit} noValidate>
        <label className="field">
          Warn before sending a message larger than (MB)
          <input
            className="input" type="number" inputMode="decimal" min={w.min} max={w.max} step="any" value={warn} data-autofocus
            aria-invalid={warnBad} aria-describedby="pref-warn-hint" data-testid="pref-warn-mib"
            onChange={(e) => setWarn(e.currentTarget.value)}
          />
          <span className="muted" id="pref-warn-hint">
            {warnBad ? `A number from ${w.min} to ${w.max}.` : 'The server’s own limit is always checked as well.'}
          </span>
        </label>
        <label className="field">
          Undo window after Send (seconds)
          <input
            className="input" type="number" inputMode="numeric" min={u.min} max={u.max} step={1} value={undo}
            aria-invalid={undoBad} aria-describedby="pref-undo-hint" data-testid="pref-undo-seconds"
            onChange={(e) => setUndo(e.currentTarget.value)}
          />
          <span className="muted" id="pref-undo-hint">
            {undoBad ? `A whole number from ${u.min} to ${u.max}.` : '0 sends at once, with no chance to undo.'}
          </span>
        </label>
        <div className="form-actions">
          <button type="button" className="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="button button-primary" disabled={warnBad || undoBad} data-testid="preferences-save">Save</button>
        </div>
      </form>
    </Modal>
  );
}
