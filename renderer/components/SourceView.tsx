/** The Source tab: the raw message as text, as the server has it (the first 2 MB of a larger one). */
import type { MessageSource } from '../lib/attachment-files.ts';
import { humanSize } from '../lib/format.ts';
import type { Loadable } from '../lib/loadable.ts';
import { ErrorState, LoadingState } from './PaneState.tsx';

export function SourceView(props: { source: Loadable<MessageSource>; onRetry: () => void }) {
  const { source } = props;
  if (source.error) return <ErrorState title="The source could not be loaded" error={source.error} onRetry={props.onRetry} testId="source-error" />;
  if (!source.data) return <LoadingState label="Loading the source…" testId="source-loading" />;
  return (
    <div className="message-source-wrap">
      {source.data.truncated && (
        <p className="muted" data-testid="source-truncated">
          The first {humanSize(source.data.text.length)} of {humanSize(source.data.size)}.
        </p>
      )}
      {/* Text only: React escapes it, nothing in it is markup. */}
      <pre className="message-source" data-testid="message-source">{source.data.text}</pre>
    </div>
  );
}
