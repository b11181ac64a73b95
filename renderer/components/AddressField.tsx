/**
 * A To/Cc/Bcc field with completion: as the person types an address, people
 * mail was sent to or received from are offered below it (most used first).
 * Up/Down choose, Enter or Tab take the choice, Escape closes the list.
 * Pasted lists (one per line, or "Last, First <a@b>") become one tidy list.
 */
import { useEffect, useId, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import type { Contact } from '../../src-protocol/contract/index.ts';
import { bareAddress, currentToken, formatMailbox, normalisePastedList, replaceCurrentToken, splitAddressList } from '../lib/address-list.ts';

/** Wait this long after a keystroke before asking (typing fast asks once). */
const SUGGEST_DELAY_MS = 120;

export interface AddressFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Contacts matching what is typed; rejects are ignored (no list). */
  suggest?: ((query: string) => Promise<Contact[]>) | undefined;
  testId: string;
  placeholder?: string;
  autoFocus?: boolean;
}

export function AddressField(props: AddressFieldProps) {
  const { suggest, onChange } = props;
  const [options, setOptions] = useState<Contact[]>([]);
  const [active, setActive] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const asked = useRef(0);
  const listId = useId();

  const clearTimer = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => () => {
    clearTimer();
    asked.current++;
  }, []);

  const close = () => {
    clearTimer();
    asked.current++;
    setOptions([]);
  };

  const lookUp = (value: string) => {
    clearTimer();
    const query = currentToken(value);
    if (!suggest || query.length < 1) {
      close();
      return;
    }
    const ask = ++asked.current;
    timer.current = setTimeout(() => {
      timer.current = null;
      const already = new Set(splitAddressList(value).map(bareAddress));
      suggest(query).then(
        (found) => {
          if (ask !== asked.current) return; // a later keystroke asked again
          setOptions(found.filter((c) => !already.has(c.address.toLowerCase()) || c.address.toLowerCase() === query.toLowerCase()));
          setActive(0);
        },
        () => {
          if (ask === asked.current) setOptions([]);
        },
      );
    }, SUGGEST_DELAY_MS);
  };

  const pick = (c: Contact) => {
    close();
    onChange(replaceCurrentToken(props.value, formatMailbox(c.name, c.address)));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (options.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || (e.key === 'Tab' && !e.shiftKey)) {
      const c = options[active];
      if (!c) return;
      e.preventDefault();
      pick(c);
    } else if (e.key === 'Escape') {
      // Closes the list, not the composer.
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData('text/plain');
    if (!pasted || (!/[\r\n]/.test(pasted) && !/,/.test(pasted))) return;
    e.preventDefault();
    const el = e.currentTarget;
    const start = el.selectionStart ?? props.value.length;
    const end = el.selectionEnd ?? props.value.length;
    const before = props.value.slice(0, start).trimEnd();
    const after = props.value.slice(end).trimStart();
    const list = normalisePastedList(pasted);
    const joined = [before.replace(/[,;]$/, ''), list, after.replace(/^[,;]/, '')].filter((s) => s.trim() !== '').join(', ');
    onChange(after ? joined : `${joined}, `);
    close();
  };

  const open = options.length > 0;
  return (
    <div className="compose-row address-field">
      <label htmlFor={`${listId}-input`}>{props.label}</label>
      <div className="address-input">
        <input
          id={`${listId}-input`}
          value={props.value}
          onChange={(e) => {
            onChange(e.target.value);
            lookUp(e.target.value);
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => close()}
          placeholder={props.placeholder}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          role="combobox"
          aria-expanded={open}
          aria-controls={`${listId}-list`}
          aria-autocomplete="list"
          aria-activedescendant={open ? `${listId}-opt-${active}` : undefined}
          data-testid={props.testId}
          {...(props.autoFocus ? { 'data-autofocus': true } : {})}
        />
        {open && (
          <ul className="completion" role="listbox" id={`${listId}-list`} data-testid="completion">
            {options.map((c, i) => (
              <li
                key={c.address}
                id={`${listId}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'is-active' : undefined}
                // mousedown, not click: the input's blur would close the list first.
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(c);
                }}
                onMouseEnter={() => setActive(i)}
                data-testid="completion-option"
              >
                {c.name && <span className="completion-name">{c.name}</span>}
                <span className="completion-address">{c.address}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
