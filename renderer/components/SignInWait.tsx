/** While the provider's page is open in the browser: what to do, the page again if it was closed, and Cancel. */
export function SignInWait(props: { url: string; onCancel: () => void }) {
  return (
    <div className="sign-in-wait" role="status" data-testid="sign-in-wait">
      <span className="spinner" aria-hidden="true" />
      <p>Finish signing in on the page that opened in your browser. Postern waits for it here.</p>
      <p className="muted">
        No page?{' '}
        <a href={props.url} target="_blank" rel="noopener noreferrer" data-testid="sign-in-link">
          Open it again
        </a>
      </p>
      <div className="form-actions">
        <button type="button" className="button" onClick={props.onCancel} data-testid="sign-in-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}
