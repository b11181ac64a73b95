/** The top bar: the app's name, search, actions on the selection, and New message. */
import type { ReactNode, Ref } from 'react';
import { GearIcon, MailIcon, PencilIcon } from './Icons.tsx';

export function Toolbar(props: { onCompose: () => void; canCompose: boolean; onPreferences?: () => void; search?: ReactNode; actionsSlot?: Ref<HTMLDivElement> }) {
  return (
    <header className="toolbar">
      <div className="brand">
        <MailIcon size={20} />
        <span>Postern</span>
      </div>
      {props.search}
      {/* The message view renders its action buttons here (a portal), next to what they act on. */}
      <div className="toolbar-actions" ref={props.actionsSlot} />
      <span className="toolbar-spacer" />
      <button
        type="button"
        className="button button-primary"
        onClick={props.onCompose}
        disabled={!props.canCompose}
        title="New message (C)"
        aria-keyshortcuts="c"
        data-testid="compose-open"
      >
        <PencilIcon size={16} /> New message
      </button>
      {props.onPreferences && (
        <button type="button" className="icon-button" aria-label="Preferences" title="Preferences" onClick={props.onPreferences} data-testid="preferences-open">
          <GearIcon />
        </button>
      )}
    </header>
  );
}
