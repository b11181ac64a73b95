/**
 * Bytes whose charset is unknown or untrustworthy -> text.
 *
 * Real mail often declares UTF-8 (or nothing, or us-ascii) and is written in
 * windows-1252: an old mailer, a header copied from a template. Bytes that
 * are not valid UTF-8 are then read as windows-1252, the charset HTML5
 * browsers fall back to for Western text, so 'é' shows as 'é' and not as
 * U+FFFD. Valid UTF-8 is always read as UTF-8.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const windows1252 = new TextDecoder('windows-1252');

/** UTF-8 when the bytes are valid UTF-8, windows-1252 otherwise; CRLF -> LF as in the model's text. */
export function decodeUnknownText(bytes: Uint8Array): string {
  return decodeUnknownAsIs(bytes).replace(/\r\n?/g, '\n');
}

function decodeUnknownAsIs(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return windows1252.decode(bytes);
  }
}

/** True when a declared charset means "UTF-8 or plain ASCII", the charsets mailparser reads without converting. */
export function isUtf8OrAscii(charset: string | null): boolean {
  const name = (charset ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  return name === '' || name === 'utf8' || name === 'usascii' || name === 'ascii';
}

/**
 * Bytes in their declared charset (WHATWG labels: windows-125x, koi8-r/u,
 * iso-2022-jp, shift_jis, gbk, gb18030, big5, euc-kr, ...), falling back to
 * decodeUnknownText() for UTF-8, ASCII, no charset or one nobody knows.
 */
export function decodeDeclared(bytes: Uint8Array, charset: string | null): string {
  return decodeDeclaredAsIs(bytes, charset).replace(/\r\n?/g, '\n');
}

/** decodeDeclared() with the line breaks left as they are (for the search index, where any break is a break). */
export function decodeDeclaredAsIs(bytes: Uint8Array, charset: string | null): string {
  if (!isUtf8OrAscii(charset) && charset !== null) {
    try {
      // UTF-7 and friends are not WHATWG labels, so they cannot sneak markup through here.
      return new TextDecoder(charset.trim()).decode(bytes);
    } catch {
      // An unknown label: read the bytes as if no charset were given.
    }
  }
  return decodeUnknownAsIs(bytes);
}
