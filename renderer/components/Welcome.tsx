/** Shown in place of the panes before any account exists. */
import { MailIcon } from './Icons.tsx';

export function Welcome(props: { onAddAccount: () => void }) {
  return (
    <div className="welcome" data-testid="welcome">
      <MailIcon size={48} />
      <h1>Welcome to Postern</h1>
      <p>Add your mail account to get started. Postern talks to your server over IMAP and SMTP; your mail stays on this computer.</p>
      <button type="button" className="button button-primary" onClick={props.onAddAccount}>
        Add account
      </button>
    </div>
  );
}
