/** Left pane: each account with its folders, special folders first, unread counts. */
import type { AccountSummary, Folder } from '../../src-protocol/contract/index.ts';
import { folderDepth, folderLabel, sortFolders, specialUseOf } from '../lib/folders.ts';
import type { Loadable } from '../lib/loadable.ts';
import { ErrorBanner, ErrorState, LoadingState } from './PaneState.tsx';
import { FolderGlyph, PlusIcon } from './Icons.tsx';

export interface FolderSelection {
  account_id: string;
  folder: string;
}

export interface FolderPaneProps {
  accounts: Loadable<AccountSummary[]>;
  folders: ReadonlyMap<string, Loadable<Folder[]>>;
  selected: FolderSelection | null;
  onSelect: (sel: FolderSelection) => void;
  onRetryAccounts: () => void;
  onRetryFolders: (accountId: string) => void;
  onAddAccount: () => void;
}

export function FolderPane(props: FolderPaneProps) {
  const { accounts } = props;
  return (
    <nav className="pane folder-pane" aria-label="Accounts and folders" data-testid="folder-pane">
      <div className="folder-pane-scroll">
        {accounts.data === undefined && accounts.error && (
          <ErrorState title="Accounts could not be loaded" error={accounts.error} onRetry={props.onRetryAccounts} />
        )}
        {accounts.data === undefined && !accounts.error && <LoadingState label="Loading accounts…" />}
        {accounts.data?.map((account) => (
          <AccountSection
            key={account.id}
            account={account}
            folders={props.folders.get(account.id)}
            selected={props.selected}
            onSelect={props.onSelect}
            onRetry={() => props.onRetryFolders(account.id)}
          />
        ))}
      </div>
      <div className="folder-pane-footer">
        <button type="button" className="button button-quiet" onClick={props.onAddAccount} data-testid="add-account">
          <PlusIcon size={16} /> Add account
        </button>
      </div>
    </nav>
  );
}

function AccountSection(props: {
  account: AccountSummary;
  folders: Loadable<Folder[]> | undefined;
  selected: FolderSelection | null;
  onSelect: (sel: FolderSelection) => void;
  onRetry: () => void;
}) {
  const { account, folders } = props;
  const list = folders?.data ? sortFolders(folders.data) : undefined;
  const headingId = `account-${account.id}`;
  return (
    <section className="account" aria-labelledby={headingId} data-testid="account-section" data-account-id={account.id}>
      <h2 className="account-heading" id={headingId} title={account.email}>
        <span className="account-name">{account.name}</span>
        <span className="account-email">{account.email}</span>
      </h2>
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
            const isSelected = props.selected?.account_id === account.id && props.selected.folder === f.path;
            return (
              <li key={f.path}>
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
                >
                  <FolderGlyph use={use} size={18} />
                  <span className="folder-name">{label}</span>
                  {f.unread > 0 && (
                    <span className="unread-count" data-testid="folder-unread" aria-hidden="true">
                      {f.unread}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
