/**
 * Splits the bytes of a large FETCH answer into responses without
 * imapflow's line splitter, for the header sync (header-fetch.ts).
 *
 * imapflow's ImapStream copies each line into a new Buffer and hands every
 * response to its reader through an object stream, one promise and a few
 * ticks each; for the 10k one-literal responses of a header sync that was
 * about a fifth of the engine thread's time and ~35 MB of garbage. Here a
 * response that lies whole in the chunk that arrived, and that the caller
 * takes (`take` answers true), is read from that chunk in place: its
 * literals are views of it, nothing is pushed.
 *
 * Everything else goes to imapflow's own splitter, a line (or the rest of
 * a literal) at a time, so its state, limits and errors stay exactly its
 * own: a response that is not a FETCH, one the caller declines, one over
 * imapflow's size limits, and one cut by the chunk's end (the splitter
 * keeps the part it has and completes it from the next chunk, as always).
 * The framer takes over again once the splitter holds nothing.
 *
 * It relies on ImapStream's internals (imapflow 2.10: processChunkSegment
 * and its state fields); `canFrame` says whether they are there.
 */

/** The ImapStream fields read here (handler/imap-stream.js). */
interface ImapStreamInternals {
  processChunkSegment: (chunk: Buffer, startPos: number) => Promise<number | null>;
  state: number;
  literalWaiting: number;
  lineBuffer: unknown[];
  inputBuffer: unknown[];
  literals: unknown[];
  literalBuffer: unknown[];
  destroyed: boolean;
  maxLineLength: number;
  maxLiteralSize: number;
  maxResponseSize: number;
}

/** ImapStream's states (its LINE and LITERAL constants). */
const LINE = 0x01;
const LITERAL = 0x02;
const LF = 0x0a;
const CR = 0x0d;
const CURLY_OPEN = 0x7b;
const CURLY_CLOSE = 0x7d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** A literal size with more digits than this is left to imapflow (which refuses it). */
const MAX_SIZE_DIGITS = 15;

/** A whole response: the lines with their literal markers, CRLF of the last one removed; the literals apart. */
export interface FramedResponse {
  payload: Buffer;
  literals: Buffer[];
  /** Where the next response starts. */
  end: number;
}

export interface FrameLimits {
  maxLineLength: number;
  maxLiteralSize: number;
  maxResponseSize: number;
}

/** True when this stream has the internals the framer works with. */
export function canFrame(stream: unknown): boolean {
  const s = stream as Partial<ImapStreamInternals> | null;
  return !!s && typeof s.processChunkSegment === 'function' && typeof s.state === 'number' && Array.isArray(s.lineBuffer)
    && Array.isArray(s.inputBuffer) && Array.isArray(s.literals) && Array.isArray(s.literalBuffer)
    && typeof s.maxLineLength === 'number' && typeof s.maxLiteralSize === 'number' && typeof s.maxResponseSize === 'number';
}

/**
 * The response starting at `pos`, if all of it is in `buf` and within the
 * limits; null otherwise (the caller lets imapflow read it). The payload is
 * what imapflow would give: every line with its terminator, literal
 * markers included, then the last terminator (LF or CRLF) removed.
 */
export function frameResponse(buf: Buffer, pos: number, limits: FrameLimits): FramedResponse | null {
  const lines: Buffer[] = [];
  const literals: Buffer[] = [];
  let total = 0;
  let p = pos;
  for (;;) {
    const lf = buf.indexOf(LF, p);
    if (lf < 0) return null;
    const lineLength = lf + 1 - p;
    if (lineLength > limits.maxLineLength) return null;
    const size = literalSize(buf, p, lf);
    total += lineLength + Math.max(size, 0);
    if (total > limits.maxResponseSize) return null;
    if (size < 0) {
      const last = lf > p && buf[lf - 1] === CR ? lf - 1 : lf;
      lines.push(buf.subarray(p, last));
      const payload = lines.length === 1 ? (lines[0] as Buffer) : Buffer.concat(lines);
      return { payload, literals, end: lf + 1 };
    }
    if (size > limits.maxLiteralSize || lf + 1 + size > buf.length) return null;
    lines.push(buf.subarray(p, lf + 1));
    literals.push(buf.subarray(lf + 1, lf + 1 + size));
    p = lf + 1 + size;
  }
}

/** The size in a line's "{n}" end (before CRLF or LF), or -1 when the line has none; as ImapStream.checkLiteralMarker reads it. */
function literalSize(buf: Buffer, start: number, lf: number): number {
  let pos = lf - 1;
  if (pos >= start && buf[pos] === CR) pos--;
  // ImapStream wants the "}" past the line's first byte.
  if (pos <= start || buf[pos] !== CURLY_CLOSE) return -1;
  const digitsEnd = pos;
  pos--;
  while (pos >= start && (buf[pos] as number) >= DIGIT_0 && (buf[pos] as number) <= DIGIT_9) pos--;
  if (pos < start || buf[pos] !== CURLY_OPEN || pos + 1 === digitsEnd) return -1;
  let first = pos + 1;
  while (first < digitsEnd - 1 && buf[first] === DIGIT_0) first++;
  // More digits than any size we would take: a marker over every limit, left to imapflow to refuse.
  if (digitsEnd - first > MAX_SIZE_DIGITS) return Number.MAX_SAFE_INTEGER;
  return Number(buf.toString('latin1', first, digitsEnd));
}

/**
 * Puts the framer in front of `stream`'s splitter; `take` is offered each
 * whole response the framer found and answers whether it consumed it.
 * Returns the function that takes the framer away again.
 */
export function installFetchFramer(stream: unknown, take: (payload: Buffer, literals: Buffer[]) => boolean): () => void {
  const s = stream as ImapStreamInternals;
  const own = Object.prototype.hasOwnProperty.call(s, 'processChunkSegment');
  if (own) throw new Error('a FETCH framer is already installed on this stream');
  const original = s.processChunkSegment;
  // Nothing half read: the next byte starts a response.
  const clean = (): boolean => s.state === LINE && s.lineBuffer.length === 0 && s.inputBuffer.length === 0
    && s.literals.length === 0 && s.literalBuffer.length === 0;
  /** imapflow's splitter reads one line (or the rest of a literal) from `pos`; returns where it stopped. */
  const feedOriginal = async (chunk: Buffer, pos: number): Promise<number> => {
    let end: number;
    if (s.state === LITERAL) end = pos + s.literalWaiting;
    else {
      const lf = chunk.indexOf(LF, pos);
      end = lf < 0 ? chunk.length : lf + 1;
    }
    // At least a byte, so a zero-length literal's end is still read and the loop moves on.
    end = Math.min(chunk.length, Math.max(end, pos + 1));
    // A view that ends early keeps the offsets of the chunk; the splitter reads to its end and stops.
    const piece = end === chunk.length ? chunk : chunk.subarray(0, end);
    let next: number | null = pos;
    while (next !== null) next = await original.call(s, piece, next);
    return end;
  };
  const framed = async function framedChunkSegment(chunk: Buffer, startPos: number): Promise<number | null> {
    let pos = startPos;
    while (pos < chunk.length && !s.destroyed) {
      if (clean()) {
        const response = frameResponse(chunk, pos, s);
        if (response && take(response.payload, response.literals)) {
          pos = response.end;
          continue;
        }
      }
      pos = await feedOriginal(chunk, pos);
    }
    return null;
  };
  s.processChunkSegment = framed;
  return () => {
    // The method lives on ImapStream's prototype; removing ours uncovers it.
    if (s.processChunkSegment === framed) delete (s as Partial<ImapStreamInternals>).processChunkSegment;
  };
}
