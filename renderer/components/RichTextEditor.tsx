/**
 * A small rich-text editor (contenteditable): bold, italic, lists, links,
 * quote. Images pasted or dropped into it become inline images: the caller
 * stores them (with a Content-ID) and gives back what to show; the editor
 * marks them with data-cid so the HTML can refer to them as cid: when sent.
 * Other dropped files go to the caller as attachments.
 */
import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';

export interface InlineImageShown {
  cid: string;
  /** What the editor shows (a data: URL of the image's bytes). */
  src: string;
  alt: string;
}

export interface RichTextEditorProps {
  initialHtml: string;
  /** Every edit: the HTML, and its text (for the draft). */
  onChange: (html: string, text: string) => void;
  /** Stores images as inline parts; resolves with what to show for each. */
  onImages: (files: File[]) => Promise<InlineImageShown[]>;
  /** Files that are not images, dropped onto the editor: attachments. */
  onFiles: (files: File[]) => void;
  disabled: boolean;
}

const isImage = (f: File) => f.type.startsWith('image/');

export function RichTextEditor(props: RichTextEditorProps) {
  const ref = useRef<HTMLDivElement>(null);
  const savedRange = useRef<Range | null>(null);
  const [linking, setLinking] = useState(false);
  const [url, setUrl] = useState('https://');
  const onChangeRef = useRef(props.onChange);
  onChangeRef.current = props.onChange;

  useEffect(() => {
    // Uncontrolled: React never rewrites the content under the caret.
    if (ref.current) ref.current.innerHTML = props.initialHtml;
    // Only the first content: later ones come from typing.
  }, []);

  const report = () => {
    const el = ref.current;
    if (el) onChangeRef.current(el.innerHTML, el.innerText);
  };

  const run = (command: string, value?: string) => {
    ref.current?.focus();
    document.execCommand(command, false, value);
    report();
  };

  const insertImages = async (files: File[], at: Range | null) => {
    const shown = await props.onImages(files);
    const el = ref.current;
    if (!el || shown.length === 0) return;
    const range = at && el.contains(at.startContainer) ? at : (() => {
      const r = document.createRange();
      r.selectNodeContents(el);
      r.collapse(false);
      return r;
    })();
    for (const s of shown.reverse()) {
      const img = document.createElement('img');
      img.src = s.src;
      img.alt = s.alt;
      img.setAttribute('data-cid', s.cid);
      range.insertNode(img);
    }
    report();
  };

  const currentRange = (): Range | null => {
    const sel = window.getSelection();
    return sel && sel.rangeCount > 0 ? sel.getRangeAt(0).cloneRange() : null;
  };

  const onPaste = (e: ClipboardEvent<HTMLDivElement>) => {
    const files = Array.from(e.clipboardData.files);
    if (files.length === 0) return;
    e.preventDefault();
    const range = currentRange();
    const images = files.filter(isImage);
    const others = files.filter((f) => !isImage(f));
    if (others.length > 0) props.onFiles(others);
    if (images.length > 0) void insertImages(images, range);
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    const files = Array.from(e.dataTransfer.files);
    if (files.length === 0) return;
    e.preventDefault();
    e.stopPropagation();
    const images = files.filter(isImage);
    const others = files.filter((f) => !isImage(f));
    if (others.length > 0) props.onFiles(others);
    const range = document.caretRangeFromPoint?.(e.clientX, e.clientY) ?? null;
    if (images.length > 0) void insertImages(images, range);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === 'b' || k === 'i') {
      e.preventDefault();
      run(k === 'b' ? 'bold' : 'italic');
    }
  };

  const startLink = () => {
    savedRange.current = currentRange();
    setUrl('https://');
    setLinking(true);
  };
  const applyLink = () => {
    setLinking(false);
    const href = url.trim();
    if (!/^(https?:|mailto:)/i.test(href)) return;
    const sel = window.getSelection();
    ref.current?.focus();
    if (savedRange.current && sel) {
      sel.removeAllRanges();
      sel.addRange(savedRange.current);
    }
    if (sel && sel.isCollapsed) run('insertHTML', `<a href="${href.replace(/"/g, '&quot;')}">${href.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</a>`);
    else run('createLink', href);
  };

  const tool = (label: string, title: string, action: () => void, testId: string, content: ReactNode) => (
    <button
      type="button"
      className="rt-tool"
      aria-label={label}
      title={title}
      disabled={props.disabled}
      // mousedown: keep the editor's selection.
      onMouseDown={(e) => {
        e.preventDefault();
        action();
      }}
      data-testid={testId}
    >
      {content}
    </button>
  );

  return (
    <div className="rich-editor">
      <div className="rt-toolbar" role="toolbar" aria-label="Formatting">
        {tool('Bold', 'Bold (Ctrl+B)', () => run('bold'), 'rt-bold', <b>B</b>)}
        {tool('Italic', 'Italic (Ctrl+I)', () => run('italic'), 'rt-italic', <i>I</i>)}
        {tool('Bulleted list', 'Bulleted list', () => run('insertUnorderedList'), 'rt-ul', '•≡')}
        {tool('Numbered list', 'Numbered list', () => run('insertOrderedList'), 'rt-ol', '1≡')}
        {tool('Quote', 'Quote', () => run('formatBlock', 'blockquote'), 'rt-quote', 'Quote')}
        {tool('Link', 'Link', startLink, 'rt-link', 'Link')}
        {linking && (
          <span className="rt-link-input">
            <input
              value={url}
              autoFocus
              onChange={(e) => setUrl(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  applyLink();
                } else if (e.key === 'Escape') {
                  e.preventDefault();
                  e.stopPropagation();
                  setLinking(false);
                }
              }}
              aria-label="Link address"
              data-testid="rt-link-url"
            />
            <button type="button" className="button button-quiet" onClick={applyLink}>
              Add link
            </button>
          </span>
        )}
      </div>
      <div
        ref={ref}
        className="rt-content"
        contentEditable={!props.disabled}
        suppressContentEditableWarning
        role="textbox"
        aria-multiline="true"
        aria-label="Message"
        onInput={report}
        onPaste={onPaste}
        onDrop={onDrop}
        onKeyDown={onKeyDown}
        data-testid="compose-rich"
      />
    </div>
  );
}
