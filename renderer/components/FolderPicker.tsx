/** "Move to…": pick a folder of the account by typing part of its name. */
import { useMemo, useState } from 'react';
import type { Folder } from '../../src-protocol/contract/index.ts';
import { folderLabel, sortFolders } from '../lib/folders.ts';
import { FolderGlyph } from './Icons.tsx';
import { Modal } from './Modal.tsx';

export interface FolderPickerProps {
  title: string;
  folders: ReadonlyArray<Folder>;
  /** The folder the messages are in now (not offered). */
  exclude: ReadonlySet<string>;
  onPick: (folder: Folder) => void;
  onClose: () => void;
}

export function FolderPicker(props: FolderPickerProps) {
  const [filter, setFilter] = useState('');
  const [active, setActive] = useState(0);
  const choices = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return sortFolders(props.folders).filter(
      (x) => !props.exclude.has(x.path) && (!f || x.path.toLowerCase().includes(f) || folderLabel(x).toLowerCase().includes(f)),
    );
  }, [props.folders, props.exclude, filter]);
  const at = Math.min(active, Math.max(0, choices.length - 1));

  return (
    <Modal title={props.title} onClose={props.onClose} className="modal-small" testId="folder-picker">
      <div className="picker">
        <input
          className="input"
          type="text"
          value={filter}
          placeholder="Folder name"
          aria-label="Filter folders"
          data-autofocus
          data-testid="folder-picker-filter"
          onChange={(e) => {
            setFilter(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive(Math.min(choices.length - 1, at + 1));
            else if (e.key === 'ArrowUp') setActive(Math.max(0, at - 1));
            else if (e.key === 'Enter') {
              const pick = choices[at];
              if (pick) props.onPick(pick);
            } else return;
            e.preventDefault();
          }}
        />
        <ul className="picker-list" role="listbox" aria-label="Folders">
          {choices.map((f, i) => (
            <li key={f.path} role="option" aria-selected={i === at}>
              <button
                type="button"
                className={`folder-item${i === at ? ' is-selected' : ''}`}
                data-testid="folder-picker-item"
                data-folder-path={f.path}
                tabIndex={-1}
                onMouseEnter={() => setActive(i)}
                onClick={() => props.onPick(f)}
              >
                <FolderGlyph use={f.special_use} size={18} />
                <span className="folder-name">{folderLabel(f)}</span>
                {folderLabel(f) !== f.path && <span className="muted picker-path">{f.path}</span>}
              </button>
            </li>
          ))}
          {choices.length === 0 && <li className="muted picker-empty">No folder matches.</li>}
        </ul>
      </div>
    </Modal>
  );
}
