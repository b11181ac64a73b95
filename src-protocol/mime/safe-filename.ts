/**
 * File names for saving attachments. A name in a message is chosen by its
 * sender, so it is treated as hostile: it must not climb out of the folder it
 * is saved in, name a Windows device, hide its real extension behind bidi
 * controls, or be longer than a file system takes.
 */
import { LIMITS } from '../common/limits.ts';

/** Extensions for attachments that come without a name, by content type. */
const EXTENSION_BY_TYPE: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/gif': 'gif',
  'text/plain': 'txt',
  'text/html': 'html',
  'message/rfc822': 'eml',
  'text/calendar': 'ics',
  'application/ics': 'ics',
  'application/zip': 'zip',
  'application/x-zip-compressed': 'zip',
};

// C0 and C1 controls and DEL: never meaningful in a name, and some terminals act on them.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidi overrides, embeddings and isolates, the LRM/RLM marks and the Arabic letter
// mark: 'invoice\u202Efdp.exe' shows as 'invoiceexe.pdf'.
const BIDI_CHARS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
// Characters Windows refuses in names (':' would also open an NTFS alternate data stream).
const WINDOWS_RESERVED = /[<>:"|?*]/g;
// CON, PRN, AUX, NUL, COM1-9 and LPT1-9 (Windows also counts the superscript digits),
// with or without an extension and with spaces before it: 'con.txt' and 'CON .txt'
// still open the console.
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3])\s*(\..*)?$/i;
// An extension worth keeping when the name is shortened: short, no spaces.
const EXTENSION = /\.[^.\s]{1,16}$/;

/** The extension (without the dot) used for an unnamed attachment of this type. */
export function extensionForType(contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return EXTENSION_BY_TYPE[type] ?? 'bin';
}

/**
 * A name that is safe to create in a download folder on any platform.
 * `index` is the attachment's position (0-based) and names unnamed parts
 * `attachment-<index+1>.<ext>`.
 */
export function safeFileName(name: string | null, contentType: string, index: number): string {
  let cleaned = (name ?? '').normalize('NFC').replace(CONTROL_CHARS, '').replace(BIDI_CHARS, '');
  // Keep only the last path component: '../../etc/passwd' -> 'passwd', 'C:\x\evil.exe' -> 'evil.exe'.
  const parts = cleaned.split(/[/\\]/);
  cleaned = parts[parts.length - 1] ?? '';
  cleaned = cleaned
    .replace(/^[A-Za-z]:/, '') // a drive-relative name such as 'C:evil.exe'
    .replace(WINDOWS_RESERVED, '_')
    .trim()
    // Leading dots make hidden files and '..' a parent; trailing dots and spaces are dropped
    // by Windows, so 'evil.exe.' would become 'evil.exe' behind our back.
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (WINDOWS_DEVICE.test(cleaned)) cleaned = `_${cleaned}`;
  cleaned = truncateKeepingExtension(cleaned, LIMITS.maxFileNameBytes);
  if (cleaned === '') return `attachment-${index + 1}.${extensionForType(contentType)}`;
  return cleaned;
}

/**
 * Numbers repeated names so that each can be saved beside the others:
 * ['a.txt', 'A.txt'] -> ['a.txt', 'A (2).txt']. Comparison ignores case
 * because the default file systems of Windows and macOS do.
 */
export function uniqueFileNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    if (taken.has(candidate.toLowerCase())) {
      const ext = EXTENSION.exec(name)?.[0] ?? '';
      const stem = name.slice(0, name.length - ext.length);
      for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** Shortens `name` to at most `maxBytes` of UTF-8, cutting the stem and keeping the extension. */
function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  const ext = EXTENSION.exec(name)?.[0] ?? '';
  const stemChars = Array.from(name.slice(0, name.length - ext.length)); // whole code points
  let budget = maxBytes - Buffer.byteLength(ext, 'utf8');
  let stem = '';
  for (const ch of stemChars) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (size > budget) break;
    stem += ch;
    budget -= size;
  }
  return (stem.replace(/[.\s]+$/, '') + ext).replace(/^[.\s]+/, '');
}
