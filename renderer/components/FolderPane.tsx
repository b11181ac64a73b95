/**
 * Left pane: each account with its folders, special folders first, unread
 * counts. Folders take dropped message rows (move), and have a small menu
 * (the ⋯ button or right-click) to create a subfolder, rename or delete;
 * special-use folders cannot be renamed or deleted from here.
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { AccountSummary, Folder, SavedSearch } from '../../src-protocol/contract/index.ts';
import { carriesMessages, decodeDraggedIds, MESSAGE_DRAG_TYPE } from '../lib/drag.ts';
import { folderDepth, folderLabel, sortFolders, specialUseOf } from '../lib/folders.ts';
import type { Loadable } from '../lib/loadable.ts';
import { ErrorBanner, ErrorState, LoadingState } from './PaneState.tsx';
import { CloseIcon, FolderGlyph, GearIcon, InboxIcon, MoreIcon, OutboxIcon, PlusIcon, SearchIcon } from './Icons.tsx';

export interface FolderSelection {
  account_id: string;
  folder: string;
}

export type FolderAction = 'create' | 'rename' | 'delete';

export interface FolderPaneProps {
  accounts: Loadable<AccountSummary[]>;
  folders: ReadonlyMap<string, Loadable<Folder[]>>;
  selected: FolderSelection | null;
  onSelect: (sel: FolderSelection) => void;
  onRetryAccounts: () => void;
  onRetryFolders: (accountId: string) => void;
  onAddAccount: () => void;
  /** create: under `folder` (null: at the top of the account). */
  onFolderAction?: (action: FolderAction, account: AccountSummary, folder: Folder | null) => void;
  /** Message rows dropped on a folder. */
  onDropMessages?: (target: FolderSelection, ids: number[]) => void;
  /** Per account, what waits in its outbox; the Outbox entry shows only when something does. */
  outbox?: ReadonlyMap<string, { count: number; problems: number }>;
  /** The account whose Outbox is on screen. */
  outboxSelected?: string | null;
  onOpenOutbox?: (accountId: string) => void;
  /** "All inboxes" (shown with more than one account). */
  unified?: { selected: boolean; unread: number; onOpen: () => void } | undefined;
  /** Saved searches, under their own heading. */
  savedSearches?: {
    items: ReadonlyArray<SavedSearch>;
    selectedId: number | null;
    onOpen: (s: SavedSearch) => void;
    onDelete: (s: SavedSearch) => void;
  } | undefined;
  /** The account's settings (identities). */
  onAccountSettings?: ((account: AccountSummary) => void) | undefined;
  /** Signs an OAuth account in again (shown while it is signed out). */
  onSignIn?: ((account: AccountSummary) => void) | undefined;
}

interface MenuAt {
  accountId: string;
  path: string;
  x: number;
  y: number;
}

export function FolderPane(props: FolderPaneProps) {
  const { accounts } = props;
  const [menu, setMenu] = useState<MenuAt | null>(null);
  const menuAccount = menu ? accounts.data?.find((a) => a.id === menu.accountId) : undefined;
  const menuFolder = menu ? props.folders.get(menu.accountId)?.data?.find((f) => f.path === menu.path) : undefined;
  return (
    <nav className="pane folder-pane" aria-label="Accounts and folders" data-testid="folder-pane">
      <div className="folder-pane-scroll">
        {accounts.data === undefined && accounts.error && (
          <ErrorState title="Accounts could not be loaded" error={accounts.error} onRetry={props.onRetryAccounts} />
        )}
        {accounts.data === undefined && !accounts.error && <LoadingState label="Loading accounts…" />}
        {props.unified && (accounts.data?.length ?? 0) > 1 && (
          <ul className="folder-list unified-list">
            <li className="folder-row">
              <button
                type="button"
                className={`folder-item${props.unified.selected ? ' is-selected' : ''}${props.unified.unread > 0 ? ' has-unread' : ''}`}
                aria-current={props.unified.selected ? 'true' : undefined}
                onClick={props.unified.onOpen}
                data-testid="unified-inbox"
              >
                <InboxIcon size={18} />
                <span className="folder-name">All inboxes</span>
                {props.unified.unread > 0 && (
                  <span className="unread-count" aria-hidden="true">
                    {props.unified.unread}
                  </span>
                )}
              </button>
            </li>
          </ul>
        )}
        {accounts.data?.map((account) => (
          <AccountSection
            key={account.id}
            account={account}
            folders={props.folders.get(account.id)}
            selected={props.selected}
            onSelect={props.onSelect}
            onRetry={() => props.onRetryFolders(account.id)}
            onCreate={props.onFolderAction ? () => props.onFolderAction?.('create', account, null) : undefined}
            onMenu={props.onFolderAction ? (path, x, y) => setMenu({ accountId: account.id, path, x, y }) : undefined}
            onDropMessages={props.onDropMessages}
            outbox={props.outbox?.get(account.id)}
            outboxSelected={props.outboxSelected === account.id}
            onOpenOutbox={props.onOpenOutbox ? () => props.onOpenOutbox?.(account.id) : undefined}
            onSettings={props.onAccountSettings ? () => props.onAccountSettings?.(account) : undefined}
            onSignIn={props.onSignIn && account.oauth && !account.oauth.signed_in ? () => props.onSignIn?.(account) : undefined}
          />
        ))}
        {props.savedSearches && props.savedSearches.items.length > 0 && (
          <section className="account saved-searches" aria-labelledby="saved-searches-heading" data-testid="saved-searches">
            <div className="account-heading-row">
              <h2 className="account-heading" id="saved-searches-heading">
                <span className="account-name">Saved searches</span>
              </h2>
            </div>
            <ul className="folder-list">
              {props.savedSearches.items.map((s) => {
                const on = props.savedSearches?.selectedId === s.id;
                return (
                  <li key={s.id} className="folder-row">
                    <button type="button" className={`folder-item${on ? ' is-selected' : ''}`} aria-current={on ? 'true' : undefined} title={s.query} onClick={() => props.savedSearches?.onOpen(s)} data-testid="saved-search">
                      <SearchIcon size={16} />
                      <span className="folder-name">{s.name}</span>
                    </button>
                    <button type="button" className="icon-button icon-button-small folder-menu-button" aria-label={`Delete saved search ${s.name}`} title="Delete this saved search" onClick={() => props.savedSearches?.onDelete(s)} data-testid="saved-search-delete">
                      <CloseIcon size={14} />
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        )}
      </div>
      <div className="folder-pane-footer">
        <button type="button" className="button button-quiet" onClick={props.onAddAccount} data-testid="add-account">
          <PlusIcon size={16} /> Add account
        </button>
      </div>
      {menu && menuAccount && menuFolder && props.onFolderAction && (
        <FolderMenu
          at={menu}
          folder={menuFolder}
          onClose={() => setMenu(null)}
          onAction={(action) => {
            setMenu(null);
            props.onFolderAction?.(action, menuAccount, menuFolder);
          }}
        />
      )}
    </nav>
  );
}

function FolderMenu(props: { at: MenuAt; folder: Folder; onClose: () => void; onAction: (a: FolderAction) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const special = specialUseOf(props.folder) !== null;
  const onClose = props.onClose;
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('button:not(:disabled)')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  const why = special ? 'A standard folder of the account cannot be renamed or deleted.' : undefined;
  return (
    <div
      ref={ref}
      className="menu"
      role="menu"
      aria-label={`Folder ${folderLabel(props.folder)}`}
      style={{ left: props.at.x, top: props.at.y }}
      data-testid="folder-menu"
    >
      <button type="button" role="menuitem" className="menu-item" onClick={() => props.onAction('create')} data-testid="folder-menu-create">
        New subfolder…
      </button>
      <button type="button" role="menuitem" className="menu-item" disabled={special} title={why} onClick={() => props.onAction('rename')} data-testid="folder-menu-rename">
        Rename…
      </button>
      <button type="button" role="menuitem" className="menu-item menu-item-danger" disabled={special} title={why} onClick={() => props.onAction('delete')} data-testid="folder-menu-delete">
        Delete…
      </button>
    </div>
  );
}

function AccountSection(props: {
  account: AccountSummary;
  folders: Loadable<Folder[]> | undefined;
  selected: FolderSelection | null;
  onSelect: (sel: FolderSelection) => void;
  onRetry: () => void;
  onCreate: (() => void) | undefined;
  onMenu: ((path: string, x: number, y: number) => void) | undefined;
  onDropMessages: ((target: FolderSelection, ids: number[]) => void) | undefined;
  outbox: { count: number; problems: number } | undefined;
  outboxSelected: boolean;
  onOpenOutbox: (() => void) | undefined;
  onSettings: (() => void) | undefined;
  onSignIn: (() => void) | undefined;
}) {
  const { account, folders } = props;
  const list = folders?.data ? sortFolders(folders.data) : undefined;
  const headingId = `account-${account.id}`;
  const [dropOn, setDropOn] = useState<string | null>(null);

  const dragOver = (e: DragEvent, path: string) => {
    if (!props.onDropMessages || !carriesMessages(e.dataTransfer.types)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (dropOn !== path) setDropOn(path);
  };
  const drop = (e: DragEvent, path: string) => {
    setDropOn(null);
    if (!props.onDropMessages || !carriesMessages(e.dataTransfer.types)) return;
    e.preventDefault();
    const ids = decodeDraggedIds(e.dataTransfer.getData(MESSAGE_DRAG_TYPE));
    if (ids.length > 0) props.onDropMessages({ account_id: account.id, folder: path }, ids);
  };

  return (
    <section className="account" aria-labelledby={headingId} data-testid="account-section" data-account-id={account.id}>
      <div className="account-heading-row">
        <h2 className="account-heading" id={headingId} title={account.email}>
          <span className="account-name">{account.name}</span>
          <span className="account-email">{account.email}</span>
        </h2>
        {props.onCreate && (
          <button type="button" className="icon-button icon-button-small" aria-label={`New folder in ${account.name}`} title="New folder" onClick={props.onCreate} data-testid="folder-create">
            <PlusIcon size={14} />
          </button>
        )}
        {props.onSettings && (
          <button type="button" className="icon-button icon-button-small" aria-label={`Settings of ${account.name}`} title="Account settings (addresses and signatures)" onClick={props.onSettings} data-testid="account-settings">
            <GearIcon size={14} />
          </button>
        )}
      </div>
      {props.onSignIn && (
        <div className="account-signed-out" role="alert" data-testid="account-signed-out">
          <span>Not signed in.</span>
          <button type="button" className="button button-small button-primary" onClick={props.onSignIn} data-testid="account-sign-in">
            Sign in
          </button>
        </div>
      )}
      {list === undefined && folders?.error && (
        <ErrorState title="Folders could not be loaded" error={folders.error} onRetry={props.onRetry} testId="folders-error" />
      )}
      {list === undefined && !folders?.error && <LoadingState label="Loading folders…" testId="folders-loading" />}
      {list !== undefined && folders?.error && (
        <ErrorBanner prefix="Folder list may be out of date:" error={folders.error} onRetry={props.onRetry} testId="folders-error" />
      )}
      {list !== undefined && (
        <ul className="folder-list">
          {list.map((f) => {
            const use = specialUseOf(f);
            const label = folderLabel(f);
            const isSelected = !props.outboxSelected && props.selected?.account_id === account.id && props.selected.folder === f.path;
            return (
              <li
                key={f.path}
                className={`folder-row${dropOn === f.path ? ' is-drop-target' : ''}`}
                onDragOver={(e) => dragOver(e, f.path)}
                onDragEnter={(e) => dragOver(e, f.path)}
                onDragLeave={(e) => {
                  if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropOn((p) => (p === f.path ? null : p));
                }}
                onDrop={(e) => drop(e, f.path)}
              >
                <button
                  type="button"
                  className={`folder-item${isSelected ? ' is-selected' : ''}${f.unread > 0 ? ' has-unread' : ''}`}
                  aria-current={isSelected ? 'true' : undefined}
                  aria-label={f.unread > 0 ? `${label}, ${f.unread} unread` : label}
                  title={f.path}
                  data-testid="folder-item"
                  data-folder-path={f.path}
                  data-special-use={use ?? ''}
                  style={use ? undefined : { paddingInlineStart: `${12 + 14 * folderDepth(f)}px` }}
                  onClick={() => props.onSelect({ account_id: account.id, folder: f.path })}
                  onContextMenu={
                    props.onMenu
                      ? (e) => {
                          e.preventDefault();
                          props.onMenu?.(f.path, e.clientX, e.clientY);
                        }
                      : undefined
                  }
                >
                  <FolderGlyph use={use} size={18} />
                  <span className="folder-name">{label}</span>
                  {f.unread > 0 && (
                    <span className="unread-count" data-testid="folder-unread" aria-hidden="true">
                      {f.unread}
                    </span>
                  )}
                </button>
                {props.onMenu && (
                  <button
                    type="button"
                    className="icon-button icon-button-small folder-menu-button"
                    aria-label={`Actions for ${label}`}
                    aria-haspopup="menu"
                    title="Folder actions"
                    data-testid="folder-menu-button"
                    onClick={(e) => {
                      const r = e.currentTarget.getBoundingClientRect();
                      props.onMenu?.(f.path, r.left, r.bottom + 2);
                    }}
                  >
                    <MoreIcon size={14} />
                  </button>
                )}
              </li>
            );
          })}
          {props.outbox && props.outbox.count > 0 && props.onOpenOutbox && (
            <li className="folder-row">
              <button
                type="button"
                className={`folder-item${props.outboxSelected ? ' is-selected' : ''}${props.outbox.problems > 0 ? ' has-problem' : ''}`}
                aria-current={props.outboxSelected ? 'true' : undefined}
                aria-label={`Outbox, ${props.outbox.count} waiting${props.outbox.problems > 0 ? `, ${props.outbox.problems} with problems` : ''}`}
                data-testid="outbox-item-folder"
                onClick={props.onOpenOutbox}
              >
                <OutboxIcon size={18} />
                <span className="folder-name">Outbox</span>
                <span className={`unread-count${props.outbox.problems > 0 ? ' unread-count-problem' : ''}`} data-testid="outbox-count" aria-hidden="true">
                  {props.outbox.count}
                </span>
              </button>
            </li>
          )}
        </ul>
      )}
    </section>
  );
}
