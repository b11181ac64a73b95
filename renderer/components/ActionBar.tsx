/** Toolbar buttons for the selected message(s), with their keys in the tooltips. */
import { ArchiveIcon, FlagIcon, MailIcon, MailOpenIcon, MoveIcon, TrashIcon } from './Icons.tsx';

export interface ActionBarProps {
  /** How many messages are selected (0 disables everything). */
  count: number;
  /** Whether every selected message is read / flagged (the buttons then undo). */
  allRead: boolean;
  allFlagged: boolean;
  canArchive: boolean;
  onSeen: (seen: boolean) => void;
  onFlag: (flagged: boolean) => void;
  onArchive: () => void;
  onMove: () => void;
  onDelete: () => void;
}

export function ActionBar(props: ActionBarProps) {
  const none = props.count === 0;
  return (
    <div className="action-bar" role="toolbar" aria-label="Message actions" data-testid="action-bar">
      {props.allRead ? (
        <button type="button" className="icon-button" disabled={none} onClick={() => props.onSeen(false)}
          title="Mark as unread (Shift+U)" aria-label="Mark as unread" aria-keyshortcuts="Shift+U" data-testid="action-unread">
          <MailIcon />
        </button>
      ) : (
        <button type="button" className="icon-button" disabled={none} onClick={() => props.onSeen(true)}
          title="Mark as read (Shift+I)" aria-label="Mark as read" aria-keyshortcuts="Shift+I" data-testid="action-read">
          <MailOpenIcon />
        </button>
      )}
      <button type="button" className={`icon-button${props.allFlagged && !none ? ' is-on' : ''}`} disabled={none}
        onClick={() => props.onFlag(!props.allFlagged)} aria-pressed={props.allFlagged && !none}
        title={props.allFlagged ? 'Remove flag (S)' : 'Flag (S)'} aria-label="Flag" aria-keyshortcuts="s !" data-testid="action-flag">
        <FlagIcon />
      </button>
      <span className="action-bar-gap" />
      <button type="button" className="icon-button" disabled={none || !props.canArchive} onClick={props.onArchive}
        title={props.canArchive ? 'Archive (E)' : 'This account has no Archive folder'} aria-label="Archive" aria-keyshortcuts="e" data-testid="action-archive">
        <ArchiveIcon />
      </button>
      <button type="button" className="icon-button" disabled={none} onClick={props.onMove}
        title="Move to folder… (V)" aria-label="Move to folder" aria-keyshortcuts="v" data-testid="action-move">
        <MoveIcon />
      </button>
      <button type="button" className="icon-button" disabled={none} onClick={props.onDelete}
        title="Delete (Delete or #)" aria-label="Delete" aria-keyshortcuts="Delete #" data-testid="action-delete">
        <TrashIcon />
      </button>
      {props.count > 1 && <span className="action-bar-count" data-testid="selection-count">{props.count} selected</span>}
    </div>
  );
}
