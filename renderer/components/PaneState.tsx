/** The shared loading / empty / error states every pane uses. */
import type { ReactNode } from 'react';
import type { ShownError } from '../lib/loadable.ts';
import { AlertIcon } from './Icons.tsx';

export function LoadingState(props: { label: string; testId?: string }) {
  return (
    <div className="pane-state" role="status" aria-live="polite" data-testid={props.testId ?? 'loading'}>
      <span className="spinner" aria-hidden="true" />
      <span>{props.label}</span>
    </div>
  );
}

export function EmptyState(props: { title: string; children?: ReactNode; icon?: ReactNode; testId?: string }) {
  return (
    <div className="pane-state" data-testid={props.testId ?? 'empty'}>
      {props.icon}
      <p className="pane-state-title">{props.title}</p>
      {props.children}
    </div>
  );
}

export function ErrorState(props: { title: string; error: ShownError; onRetry?: () => void; testId?: string }) {
  return (
    <div className="pane-state pane-state-error" role="alert" data-testid={props.testId ?? 'error'}>
      <AlertIcon size={28} />
      <p className="pane-state-title">{props.title}</p>
      <p className="error-message">{props.error.message}</p>
      {props.onRetry && (
        <button type="button" className="button" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** A one-line error above content that is still shown (stale but useful). */
export function ErrorBanner(props: { error: ShownError; prefix: string; onRetry?: () => void; testId?: string }) {
  return (
    <div className="error-banner" role="alert" data-testid={props.testId ?? 'error-banner'}>
      <AlertIcon size={16} />
      <span className="error-banner-text">
        {props.prefix} <span className="error-message">{props.error.message}</span>
      </span>
      {props.onRetry && (
        <button type="button" className="button button-small" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
