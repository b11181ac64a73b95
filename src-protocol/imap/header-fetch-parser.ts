/**
 * Reads one untagged FETCH response of the header sync (UID, FLAGS,
 * RFC822.SIZE, INTERNALDATE, BODY[HEADER.FIELDS (...)]) straight from the
 * bytes imapflow's line splitter hands over: the response line with its
 * literal markers ("{123}\r\n") still in place, and the literals' bytes
 * apart, in order. imapflow's generic tokenizer and formatter cost more
 * than twice what the rest of a header sync's reading does.
 *
 * Only what it fully understands is returned; anything else (a quoted flag,
 * a malformed item, no UID) gives null and the caller lets imapflow's own
 * parser read that response instead. Items it did not ask for (MODSEQ,
 * EMAILID, whatever a server adds) are skipped whatever their shape.
 */

export interface HeaderFetchRow {
  uid: number;
  flags: string[] | null;
  size: number | null;
  internalDate: string | null;
  /** The BODY[HEADER.FIELDS ...] value; null when the response had none (e.g. a flag update). */
  headers: Buffer | null;
}

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PAREN_OPEN = 0x28;
const PAREN_CLOSE = 0x29;
const BRACKET_OPEN = 0x5b;
const BRACKET_CLOSE = 0x5d;
const ANGLE_OPEN = 0x3c;
const ANGLE_CLOSE = 0x3e;
const CURLY_OPEN = 0x7b;
const CURLY_CLOSE = 0x7d;
const TILDE = 0x7e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Lists nested deeper than this are not ours to read (imapflow then decides). */
const MAX_DEPTH = 32;
/** A UID or size has at most 10 digits (RFC 9051 number is 32 bits; RFC822.SIZE may be 63 but never is here). */
const MAX_DIGITS = 15;

/** Thrown inside the reader when the response is not what it can read; never escapes parseHeaderFetch. */
class NotOurs extends Error {}

class Cursor {
  readonly buf: Buffer;
  readonly literals: readonly Buffer[];
  pos = 0;
  literal = 0;

  constructor(buf: Buffer, literals: readonly Buffer[]) {
    this.buf = buf;
    this.literals = literals;
  }

  peek(): number {
    if (this.pos >= this.buf.length) throw new NotOurs();
    return this.buf[this.pos] as number;
  }

  /** Fixed text, given in upper case; letters match either case. */
  expect(text: string): void {
    const end = this.pos + text.length;
    if (end > this.buf.length) throw new NotOurs();
    for (let i = 0; i < text.length; i++) {
      const c = this.buf[this.pos + i] as number;
      const t = text.charCodeAt(i);
      const letter = t >= 0x41 && t <= 0x5a;
      if (c !== t && !(letter && c === (t | 0x20))) throw new NotOurs();
    }
    this.pos = end;
  }

  spaces(): void {
    while (this.pos < this.buf.length && this.buf[this.pos] === SP) this.pos++;
  }

  number(): number {
    const start = this.pos;
    let n = 0;
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos] as number;
      if (c < DIGIT_0 || c > DIGIT_9) break;
      n = n * 10 + (c - DIGIT_0);
      this.pos++;
    }
    if (this.pos === start || this.pos - start > MAX_DIGITS) throw new NotOurs();
    return n;
  }

  /** An item name with its [section] and <origin>, upper case. */
  itemName(): { name: string; section: string | null; partial: boolean } {
    const start = this.pos;
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos] as number;
      if (c === SP || c === BRACKET_OPEN || c === PAREN_OPEN || c === PAREN_CLOSE || c === QUOTE || c === CURLY_OPEN || c < SP) break;
      this.pos++;
    }
    if (this.pos === start) throw new NotOurs();
    const name = this.buf.toString('latin1', start, this.pos).toUpperCase();
    let section: string | null = null;
    if (this.pos < this.buf.length && this.buf[this.pos] === BRACKET_OPEN) {
      const open = ++this.pos;
      const last = lastSection;
      if (last !== null && this.buf[open + last.bytes.length] === BRACKET_CLOSE && this.buf.compare(last.bytes, 0, last.bytes.length, open, open + last.bytes.length) === 0) {
        // The same bytes as the last section read, up to its "]": they read the same.
        section = last.text;
        this.pos = open + last.bytes.length;
      } else {
        // Section specs hold atoms and parenthesized lists of header names; a quoted name may hold "]".
        while (this.peek() !== BRACKET_CLOSE) {
          if (this.buf[this.pos] === QUOTE) this.quoted();
          else if (this.buf[this.pos] === CURLY_OPEN || this.buf[this.pos] === CR || this.buf[this.pos] === LF) throw new NotOurs();
          else this.pos++;
        }
        section = this.buf.toString('latin1', open, this.pos).toUpperCase();
        lastSection = { bytes: Buffer.from(this.buf.subarray(open, this.pos)), text: section };
      }
      this.pos++;
    }
    let partial = false;
    if (this.pos < this.buf.length && this.buf[this.pos] === ANGLE_OPEN) {
      this.pos++;
      this.number();
      if (this.peek() !== ANGLE_CLOSE) throw new NotOurs();
      this.pos++;
      partial = true;
    }
    return { name, section, partial };
  }

  /** A quoted string's bytes, escapes removed. */
  quoted(): Buffer {
    if (this.peek() !== QUOTE) throw new NotOurs();
    const start = ++this.pos;
    let escaped = false;
    for (;;) {
      const c = this.peek();
      if (c === BACKSLASH) {
        escaped = true;
        this.pos += 2;
        continue;
      }
      if (c === CR || c === LF) throw new NotOurs();
      if (c === QUOTE) break;
      this.pos++;
    }
    const raw = this.buf.subarray(start, this.pos);
    this.pos++;
    if (!escaped) return raw;
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as number;
      if (c === BACKSLASH && i + 1 < raw.length) out.push(raw[++i] as number);
      else out.push(c);
    }
    return Buffer.from(out);
  }

  /** "{n}" (or "~{n}") then the line break: the next literal, which must have n bytes. */
  literalValue(): Buffer {
    if (this.peek() === TILDE) this.pos++;
    if (this.peek() !== CURLY_OPEN) throw new NotOurs();
    this.pos++;
    const size = this.number();
    if (this.peek() !== CURLY_CLOSE) throw new NotOurs();
    this.pos++;
    if (this.pos < this.buf.length && this.buf[this.pos] === CR) this.pos++;
    if (this.peek() !== LF) throw new NotOurs();
    this.pos++;
    const value = this.literals[this.literal++];
    if (!value || value.length !== size) throw new NotOurs();
    return value;
  }

  /** An nstring: literal, quoted string or NIL (null). */
  nstring(): Buffer | null {
    const c = this.peek();
    if (c === QUOTE) return this.quoted();
    if (c === CURLY_OPEN || c === TILDE) return this.literalValue();
    this.expect('NIL');
    return null;
  }

  /** Any value, read past: atom, number, NIL, string, literal or a (nested) list. */
  skipValue(depth = 0): void {
    if (depth > MAX_DEPTH) throw new NotOurs();
    const c = this.peek();
    if (c === QUOTE) {
      this.quoted();
      return;
    }
    if (c === CURLY_OPEN || c === TILDE) {
      this.literalValue();
      return;
    }
    if (c === PAREN_OPEN) {
      this.pos++;
      this.spaces();
      while (this.peek() !== PAREN_CLOSE) {
        this.skipValue(depth + 1);
        this.spaces();
      }
      this.pos++;
      return;
    }
    const start = this.pos;
    while (this.pos < this.buf.length) {
      const b = this.buf[this.pos] as number;
      if (b === SP || b === PAREN_OPEN || b === PAREN_CLOSE || b === QUOTE || b === CURLY_OPEN || b < SP) break;
      if (b === BRACKET_OPEN) {
        // An atom with a section, e.g. a response code inside a value; read to its end.
        while (this.peek() !== BRACKET_CLOSE) this.pos++;
      }
      this.pos++;
    }
    if (this.pos === start) throw new NotOurs();
  }

  /** "(" flag *(SP flag) ")": atoms, "\" for system flags; anything quoted is not ours. */
  flags(): string[] {
    if (this.peek() !== PAREN_OPEN) throw new NotOurs();
    this.pos++;
    const out: string[] = [];
    this.spaces();
    while (this.peek() !== PAREN_CLOSE) {
      const start = this.pos;
      let ascii = true;
      while (this.pos < this.buf.length) {
        const c = this.buf[this.pos] as number;
        if (c === SP || c === PAREN_CLOSE) break;
        if (c === PAREN_OPEN || c === QUOTE || c === CURLY_OPEN || c < SP || c === 0x7f) throw new NotOurs();
        if (c > 0x7f) ascii = false;
        this.pos++;
      }
      if (this.pos === start) throw new NotOurs();
      out.push(this.buf.toString(ascii ? 'latin1' : 'utf8', start, this.pos));
      this.spaces();
    }
    this.pos++;
    return out;
  }
}

/**
 * The last section spec read, as bytes and as text. Every row of a header
 * FETCH names the same long one (BODY[HEADER.FIELDS (FROM TO ...)]):
 * comparing bytes is cheaper than scanning and upper-casing it again.
 */
let lastSection: { bytes: Buffer; text: string } | null = null;

/** One "* n FETCH (...)" response; null when it is not one this reader can vouch for. */
export function parseHeaderFetch(payload: Buffer, literals: readonly Buffer[]): HeaderFetchRow | null {
  try {
    return read(new Cursor(payload, literals));
  } catch (err) {
    if (err instanceof NotOurs) return null;
    throw err;
  }
}

function read(r: Cursor): HeaderFetchRow | null {
  r.expect('* ');
  r.number();
  r.expect(' FETCH');
  r.spaces();
  r.expect('(');
  let uid: number | null = null;
  const row: HeaderFetchRow = { uid: 0, flags: null, size: null, internalDate: null, headers: null };
  r.spaces();
  while (r.peek() !== PAREN_CLOSE) {
    const item = r.itemName();
    if (r.peek() !== SP) throw new NotOurs();
    r.spaces();
    if (item.section === null && !item.partial && item.name === 'UID') uid = r.number();
    else if (item.section === null && !item.partial && item.name === 'FLAGS') row.flags = r.flags();
    else if (item.section === null && !item.partial && item.name === 'RFC822.SIZE') row.size = r.number();
    else if (item.section === null && !item.partial && item.name === 'INTERNALDATE') {
      const value = r.nstring();
      row.internalDate = value === null ? null : value.toString('latin1');
    } else if (item.name === 'BODY' && !item.partial && item.section !== null && item.section.startsWith('HEADER.FIELDS ')) {
      // NIL: the message has none of those fields, as good as an empty block.
      row.headers = r.nstring() ?? Buffer.alloc(0);
    } else r.skipValue();
    r.spaces();
  }
  r.pos++;
  // The whole response must have been read: trailing bytes or unused literals mean a shape we do not know.
  if (r.pos !== r.buf.length || r.literal !== r.literals.length) throw new NotOurs();
  if (uid === null || uid === 0) return null;
  row.uid = uid;
  return row;
}
