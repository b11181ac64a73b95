/**
 * The toolbar's search field. Results follow typing (the view debounces);
 * Escape clears it; `/` anywhere outside a text field jumps into it. A query
 * the engine cannot read shows its message right under the field.
 */
import { useEffect, useRef } from 'react';
import type { ShownError } from '../lib/loadable.ts';
import { CloseIcon, SearchIcon } from './Icons.tsx';

export interface SearchBoxProps {
  value: string;
  onChange: (value: string) => void;
  onClear: () => void;
  busy: boolean;
  error: ShownError | null;
  /** Save the query as a saved search (offered while one is typed). */
  onSave?: (() => void) | undefined;
}

export function SearchBox(props: SearchBoxProps) {
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const el = document.activeElement;
      if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable)) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const errorId = 'search-error';
  return (
    <div className={`search-box${props.error ? ' has-error' : ''}`} role="search">
      <SearchIcon size={16} />
      <input
        ref={input}
        type="text"
        className="search-input"
        value={props.value}
        placeholder="Search mail   (from: subject: is:unread in:folder …)"
        aria-label="Search mail"
        aria-keyshortcuts="/"
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
        spellCheck={false}
        autoComplete="off"
        data-testid="search-input"
        onChange={(e) => props.onChange(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            props.onClear();
            e.currentTarget.blur();
          } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
            // Into the results, to move through them with the keyboard.
            const list = document.querySelector<HTMLElement>('[data-testid="message-list"]');
            if (list) {
              e.preventDefault();
              list.focus();
            }
          }
        }}
      />
      {props.busy && <span className="spinner spinner-small" aria-hidden="true" />}
      {props.value.trim() && props.onSave && !props.error && (
        <button type="button" className="button button-quiet button-small search-save" onClick={props.onSave} title="Keep this search in the folder list" data-testid="search-save">
          Save
        </button>
      )}
      {props.value && (
        <button type="button" className="icon-button icon-button-small" aria-label="Clear search" onClick={props.onClear} data-testid="search-clear">
          <CloseIcon size={14} />
        </button>
      )}
      {props.error && (
        <div className="search-error" id={errorId} role="alert" data-testid="search-error">
          {props.error.message}
        </div>
      )}
    </div>
  );
}
