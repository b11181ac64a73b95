/** What the engine could not show as sent (limits, broken structure): a small warning list above the body. */
import { AlertIcon } from './Icons.tsx';

export function MessageNotes(props: { notes: ReadonlyArray<string> }) {
  if (props.notes.length === 0) return null;
  return (
    <div className="message-notes" role="note" aria-label="Notes about this message" data-testid="message-notes">
      <AlertIcon size={15} />
      <ul>
        {props.notes.map((n, i) => (
          <li key={i} data-testid="message-note">
            {n}
          </li>
        ))}
      </ul>
    </div>
  );
}
