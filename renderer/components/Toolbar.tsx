/** The top bar: the app's name and the actions that apply everywhere. */
import { MailIcon, PencilIcon } from './Icons.tsx';

export function Toolbar(props: { onCompose: () => void; canCompose: boolean }) {
  return (
    <header className="toolbar">
      <div className="brand">
        <MailIcon size={20} />
        <span>Postern</span>
      </div>
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
    </header>
  );
}
