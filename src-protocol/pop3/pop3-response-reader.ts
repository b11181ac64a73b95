/**
 * Turns the bytes a POP3 server sends into answers, never decoding message
 * content. Lines end only at CRLF: a bare LF (or CR) inside a message is part
 * of the message and kept. A multi-line answer ends at a line of exactly
 * "."; other lines that start with "." lose that one dot (RFC 1939 byte
 * stuffing). Chunk boundaries may fall anywhere, including inside CRLF and
 * inside the terminator. Lines and answers are bounded, so a hostile server
 * cannot fill memory.
 */
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';
import { parseStatusLine, printable, type Pop3Response } from './pop3-response.ts';

export interface Pop3ReaderLimits {
  maxStatusLineBytes: number;
  maxLineBytes: number;
  maxResponseBytes: number;
}

const DEFAULT_LIMITS: Pop3ReaderLimits = {
  maxStatusLineBytes: LIMITS.maxPop3StatusLineBytes,
  maxLineBytes: LIMITS.maxPop3LineBytes,
  maxResponseBytes: LIMITS.maxPop3ResponseBytes,
};

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

interface InProgress {
  multiLine: boolean;
  status: Omit<Pop3Response, 'body'> | undefined;
  body: Buffer[];
  bodyBytes: number;
}

export class Pop3ResponseReader {
  readonly #limits: Pop3ReaderLimits;
  /** Bytes that arrived while no answer was expected (or after one ended). */
  #queued: Buffer[] = [];
  /** The unfinished line: pieces of one or more chunks. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #current: InProgress | undefined;
  #receivedForCurrent = 0;

  constructor(limits: Partial<Pop3ReaderLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** True while an answer has been started and not finished. */
  get inProgress(): boolean {
    return this.#current !== undefined;
  }

  /** Bytes received for the answer in progress (for "closed after N bytes" messages). */
  get receivedForCurrent(): number {
    return this.#receivedForCurrent;
  }

  /** Bytes received that belong to no answer asked for yet. */
  get bufferedBytes(): number {
    return this.#queued.reduce((n, b) => n + b.length, 0) + this.#partialBytes;
  }

  /**
   * Starts reading the next answer. Returns it at once when bytes already
   * received complete it; otherwise push() returns it later.
   */
  expect(multiLine: boolean): Pop3Response | undefined {
    if (this.#current) throw new PosternError('INTERNAL', 'A POP3 answer was expected while another was still being read.');
    this.#current = { multiLine, status: undefined, body: [], bodyBytes: 0 };
    this.#receivedForCurrent = 0;
    const queued = this.#queued;
    this.#queued = [];
    for (let i = 0; i < queued.length; i++) {
      const done = this.push(queued[i] as Buffer);
      if (done) {
        // Whatever followed belongs to the answer after this one.
        this.#queued.push(...queued.slice(i + 1));
        return done;
      }
    }
    return undefined;
  }

  /** Feeds received bytes. Returns the answer when these bytes complete it. */
  push(chunk: Buffer): Pop3Response | undefined {
    if (!this.#current) {
      if (chunk.length > 0) this.#queued.push(chunk);
      if (this.bufferedBytes > this.#limits.maxStatusLineBytes) {
        throw new PosternError('PROTOCOL', 'The server sent data nobody asked for.');
      }
      return undefined;
    }
    let pos = 0;
    while (pos < chunk.length) {
      const end = this.#findLineEnd(chunk, pos);
      if (end === -1) {
        this.#addPartial(chunk.subarray(pos));
        this.#receivedForCurrent += chunk.length - pos;
        return undefined;
      }
      const piece = chunk.subarray(pos, end + 1);
      this.#receivedForCurrent += piece.length;
      pos = end + 1;
      const line = this.#takeLine(piece);
      const done = this.#onLine(line);
      if (done) {
        if (pos < chunk.length) this.#queued.push(chunk.subarray(pos));
        return done;
      }
    }
    return undefined;
  }

  /** Index of the LF of the next CRLF in `chunk` from `from`, or -1. */
  #findLineEnd(chunk: Buffer, from: number): number {
    let lf = chunk.indexOf(LF, from);
    while (lf !== -1) {
      const before = lf > from ? chunk[lf - 1] : this.#lastPartialByte();
      if (before === CR) return lf;
      lf = chunk.indexOf(LF, lf + 1);
    }
    return -1;
  }

  #lastPartialByte(): number | undefined {
    const last = this.#partial[this.#partial.length - 1];
    return last === undefined ? undefined : last[last.length - 1];
  }

  #addPartial(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#partial.push(piece);
    this.#partialBytes += piece.length;
    // The unfinished line may end with the CR of its CRLF.
    this.#checkLineLength(this.#partialBytes - 1);
  }

  /** The whole line, CRLF included, from the partial pieces and `piece`. */
  #takeLine(piece: Buffer): Buffer {
    this.#checkLineLength(this.#partialBytes + piece.length - 2);
    if (this.#partial.length === 0) return piece;
    const line = Buffer.concat([...this.#partial, piece], this.#partialBytes + piece.length);
    this.#partial = [];
    this.#partialBytes = 0;
    return line;
  }

  #checkLineLength(bytes: number): void {
    const statusLine = this.#current?.status === undefined;
    const max = statusLine ? this.#limits.maxStatusLineBytes : this.#limits.maxLineBytes;
    if (bytes > max) {
      throw new PosternError('PROTOCOL', `The server sent a ${statusLine ? 'status ' : ''}line longer than ${max} bytes.`);
    }
  }

  /** Handles one line (with its CRLF); returns the answer when it is complete. */
  #onLine(line: Buffer): Pop3Response | undefined {
    const current = this.#current as InProgress;
    if (current.status === undefined) {
      const status = parseStatusLine(line.subarray(0, line.length - 2));
      if (!current.multiLine || status.status !== 'ok') return this.#finish({ ...status, body: undefined });
      current.status = status;
      return undefined;
    }
    if (line[0] === DOT) {
      if (line.length === 3) {
        return this.#finish({ ...current.status, body: Buffer.concat(current.body, current.bodyBytes) });
      }
      line = line.subarray(1);
    }
    current.bodyBytes += line.length;
    if (current.bodyBytes > this.#limits.maxResponseBytes) {
      throw new PosternError(
        'PROTOCOL',
        `The server's answer is larger than ${this.#limits.maxResponseBytes} bytes (first line "${printable(current.status.line)}").`,
      );
    }
    current.body.push(line);
    return undefined;
  }

  #finish(response: Pop3Response): Pop3Response {
    this.#current = undefined;
    return response;
  }
}
