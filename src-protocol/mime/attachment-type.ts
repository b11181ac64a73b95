/**
 * The Content-Type an outgoing attachment gets, from its bytes and its name.
 *
 * A name says what a person meant and the bytes say what the file is; when
 * they disagree the bytes win (a PNG called "scan.pdf" is sent as image/png,
 * so the recipient's client opens it with something that can show it). The
 * name is used when the bytes are not recognised, and for formats whose
 * bytes only say "ZIP" or "OLE" (docx, xlsx, odt, epub, jar, msg…), where the
 * name is the finer answer. A type the sender's browser guessed is treated
 * like a name: it was guessed from the name.
 */
import { detectMimeType } from 'nodemailer/lib/mime-funcs';

const OCTET = 'application/octet-stream';
// type/subtype tokens only (RFC 2045); anything else a sender passed is ignored, never written into a header.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

interface Signature {
  type: string;
  at: number;
  bytes: readonly number[];
  /** For short magic numbers that text could start with: a further check of the structure. */
  also?: (b: Uint8Array) => boolean;
}

const u32le = (b: Uint8Array, at: number): number => ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
// A BMP states its own length; a PE executable points at its "PE\0\0" header.
const bmpSizeMatches = (b: Uint8Array): boolean => u32le(b, 2) === b.length;
const hasPeHeader = (b: Uint8Array): boolean => {
  const at = u32le(b, 0x3c);
  return at + 4 <= b.length && b[at] === 0x50 && b[at + 1] === 0x45 && b[at + 2] === 0 && b[at + 3] === 0;
};
const digitAt3 = (b: Uint8Array): boolean => (b[3] ?? 0) >= 0x31 && (b[3] ?? 0) <= 0x39;

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

// Magic numbers of the formats people attach most; checked in order.
const SIGNATURES: readonly Signature[] = [
  { type: 'application/pdf', at: 0, bytes: ascii('%PDF-') },
  { type: 'image/png', at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', at: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', at: 0, bytes: ascii('GIF87a') },
  { type: 'image/gif', at: 0, bytes: ascii('GIF89a') },
  { type: 'image/bmp', at: 0, bytes: ascii('BM'), also: bmpSizeMatches },
  { type: 'image/tiff', at: 0, bytes: [0x49, 0x49, 0x2a, 0x00] },
  { type: 'image/tiff', at: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { type: 'image/x-icon', at: 0, bytes: [0x00, 0x00, 0x01, 0x00] },
  { type: 'application/gzip', at: 0, bytes: [0x1f, 0x8b] },
  { type: 'application/x-7z-compressed', at: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: 'application/x-rar-compressed', at: 0, bytes: ascii('Rar!\x1a\x07') },
  { type: 'application/x-bzip2', at: 0, bytes: ascii('BZh'), also: digitAt3 },
  { type: 'application/x-xz', at: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { type: 'application/zip', at: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/zip', at: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
  { type: 'application/x-ole-storage', at: 0, bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { type: 'audio/mpeg', at: 0, bytes: ascii('ID3') },
  { type: 'audio/ogg', at: 0, bytes: ascii('OggS') },
  { type: 'audio/flac', at: 0, bytes: ascii('fLaC') },
  { type: 'video/webm', at: 0, bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { type: 'text/calendar', at: 0, bytes: ascii('BEGIN:VCALENDAR') },
  { type: 'text/vcard', at: 0, bytes: ascii('BEGIN:VCARD') },
  { type: 'application/x-msdownload', at: 0, bytes: ascii('MZ'), also: hasPeHeader },
  { type: 'application/x-executable', at: 0, bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { type: 'application/wasm', at: 0, bytes: [0x00, 0x61, 0x73, 0x6d] },
];

// RIFF and ISO-BMFF containers: the kind is a few bytes further in.
function container(b: Uint8Array): string | undefined {
  const text = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && text(0, 4) === 'RIFF') {
    const kind = text(8, 12);
    if (kind === 'WEBP') return 'image/webp';
    if (kind === 'WAVE') return 'audio/wav';
    if (kind === 'AVI ') return 'video/x-msvideo';
  }
  if (b.length >= 12 && text(4, 8) === 'ftyp') {
    const brand = text(8, 12);
    if (brand === 'heic' || brand === 'heix' || brand === 'mif1') return 'image/heic';
    if (brand === 'avif') return 'image/avif';
    if (brand.startsWith('M4A')) return 'audio/mp4';
    if (brand === 'qt  ') return 'video/quicktime';
    return 'video/mp4';
  }
  return undefined;
}

/** The type the bytes announce, if they announce one we know. */
export function sniffType(content: Uint8Array): string | undefined {
  for (const s of SIGNATURES) {
    if (content.length < s.at + s.bytes.length) continue;
    if (s.bytes.every((byte, i) => content[s.at + i] === byte) && (s.also?.(content) ?? true)) return s.type;
  }
  return container(content) ?? (looksLikeSvg(content) ? 'image/svg+xml' : undefined);
}

function looksLikeSvg(content: Uint8Array): boolean {
  const head = Buffer.from(content.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'));
}

/** Plain text: no NUL and valid UTF-8 in the first 8 KiB (a cut multi-byte character at the end is allowed). */
function looksLikeText(content: Uint8Array): boolean {
  const head = content.subarray(0, 8192);
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, trimPartialUtf8(head)));
    return true;
  } catch {
    return false;
  }
}

function trimPartialUtf8(b: Uint8Array): number {
  const end = b.length;
  // Step back over at most 3 continuation bytes and the lead byte they follow.
  for (let i = 1; i <= 4 && end - i >= 0; i++) {
    const byte = b[end - i] ?? 0;
    if ((byte & 0xc0) === 0xc0) return end - i;
    if ((byte & 0x80) === 0) return end;
  }
  return end;
}

/** Formats whose bytes are a generic container; the name (or declared type) tells which. */
function refines(container: string, byName: string): boolean {
  if (container === 'application/zip') {
    return byName.startsWith('application/vnd.') || ['application/epub+zip', 'application/java-archive', 'application/x-xpinstall'].includes(byName);
  }
  if (container === 'application/x-ole-storage') return byName.startsWith('application/vnd.ms-') || byName === 'application/msword';
  if (container === 'application/x-msdownload') return byName !== OCTET && byName.startsWith('application/');
  return false;
}

function fromName(filename: string): string | undefined {
  const t = detectMimeType(filename);
  return t && t !== OCTET ? t : undefined;
}

/**
 * The Content-Type to send. `declared` is what the composer was told (a
 * browser's guess from the name, or empty).
 */
export function attachmentType(filename: string, content: Uint8Array, declared?: string): string {
  const given = declared?.trim().toLowerCase();
  const usable = given !== undefined && given !== OCTET && MEDIA_TYPE.test(given) ? given : undefined;
  const claimed = usable ?? fromName(filename);
  const sniffed = sniffType(content);
  if (sniffed) {
    if (claimed && (claimed === sniffed || refines(sniffed, claimed))) return claimed;
    // Generic containers without a name that refines them: the bytes' answer, readable to everyone.
    return sniffed === 'application/x-ole-storage' ? OCTET : sniffed;
  }
  if (claimed) return claimed;
  return looksLikeText(content) && content.length > 0 ? 'text/plain' : OCTET;
}
