/**
 * Repairs to raw message bytes made before parsing, for damage that would
 * otherwise hide the whole message rather than one part of it. Each repair
 * costs nothing (returns the same buffer) for a message that does not need it.
 */
import { LIMITS } from '../common/limits.ts';

const CR = 0x0d;
const LF = 0x0a;

export interface RepairedRaw {
  raw: Buffer;
  /** What was changed, in words for the person reading (see ParsedMessage.notes). */
  notes: string[];
}

export function repairRaw(raw: Buffer): RepairedRaw {
  const notes: string[] = [];
  let out = bareCrToLf(raw);
  const trimmed = trimRootHeader(out);
  if (trimmed.dropped.length > 0) {
    out = trimmed.raw;
    const names = [...new Set(trimmed.dropped)].slice(0, 5).join(', ');
    notes.push(`Some header fields were too large to read (${names}) and are not shown.`);
  }
  return { raw: out, notes };
}

/**
 * A CR that is not followed by LF becomes LF. The splitter only knows LF and
 * CRLF line ends, so a message written with old Mac line ends (CR alone)
 * would be one endless header line. Python's email package treats a bare CR
 * as a line end too. Same length, so nothing after it moves.
 */
export function bareCrToLf(raw: Buffer): Buffer {
  let copy: Buffer | null = null;
  for (let i = raw.indexOf(CR); i !== -1; i = raw.indexOf(CR, i + 1)) {
    if (raw[i + 1] === LF) continue;
    copy ??= Buffer.from(raw);
    copy[i] = LF;
  }
  return copy ?? raw;
}

/**
 * bareCrToLf() for a message read in chunks: a CR at the end of a chunk is
 * held back until the next chunk says whether an LF follows it.
 */
export class BareCrToLfStream {
  #heldCr = false;

  /** The chunk repaired, less a trailing CR (given with the next chunk, or by end()). */
  push(chunk: Buffer): Buffer {
    const data = this.#heldCr ? Buffer.concat([HELD_CR, chunk]) : chunk;
    this.#heldCr = data.length > 0 && data[data.length - 1] === CR;
    return bareCrToLf(this.#heldCr ? data.subarray(0, data.length - 1) : data);
  }

  /** What is still held at the end of the message: a last bare CR, as LF. */
  end(): Buffer {
    const rest = this.#heldCr ? Buffer.from([LF]) : Buffer.alloc(0);
    this.#heldCr = false;
    return rest;
  }
}

const HELD_CR = Buffer.from([CR]);

/** Where the root header ends: the index of the blank line's first byte, or raw.length when there is none. */
export function rootHeaderEnd(raw: Buffer): number {
  let lineStart = 0;
  while (lineStart < raw.length) {
    const lf = raw.indexOf(LF, lineStart);
    if (lf === -1) return raw.length;
    const lineEnd = lf > lineStart && raw[lf - 1] === CR ? lf - 1 : lf;
    if (lineEnd === lineStart) return lineStart;
    lineStart = lf + 1;
  }
  return raw.length;
}

/**
 * When the root header is larger than the splitter accepts, drops its
 * largest fields until it fits, so the rest of the message (and the fields
 * a person needs: From, Subject, Date) can still be read. Only the root
 * header: a part header over the limit ends the parse at that part, and the
 * parts before it are still shown.
 */
export function trimRootHeader(raw: Buffer): { raw: Buffer; dropped: string[] } {
  // Cheap test first: any message shorter than the limit has a header that fits.
  if (raw.length <= LIMITS.maxMimeHeaderBytes) return { raw, dropped: [] };
  const end = rootHeaderEnd(raw);
  // Leave room for the splitter's own per-line accounting.
  const budget = Math.floor(LIMITS.maxMimeHeaderBytes * 0.9);
  if (end <= budget) return { raw, dropped: [] };

  // Split into fields: a field is a line and the folded (space or tab led) lines after it.
  const fields: { start: number; end: number }[] = [];
  let lineStart = 0;
  while (lineStart < end) {
    const lf = raw.indexOf(LF, lineStart);
    const next = lf === -1 || lf >= end ? end : lf + 1;
    const first = raw[lineStart];
    const last = fields[fields.length - 1];
    if ((first === 0x20 || first === 0x09) && last !== undefined) last.end = next;
    else fields.push({ start: lineStart, end: next });
    lineStart = next;
  }
  const bySize = fields.map((f, i) => ({ i, size: f.end - f.start })).sort((a, b) => b.size - a.size);
  const drop = new Set<number>();
  let total = end;
  for (const { i, size } of bySize) {
    if (total <= budget) break;
    drop.add(i);
    total -= size;
  }
  const kept: Buffer[] = [];
  const dropped: string[] = [];
  fields.forEach((f, i) => {
    if (!drop.has(i)) kept.push(raw.subarray(f.start, f.end));
    else dropped.push(fieldName(raw.subarray(f.start, Math.min(f.end, f.start + 80))));
  });
  // A header without a blank line after it (the whole message is header) needs no line end restored.
  const lastKept = kept[kept.length - 1];
  if (lastKept !== undefined && end < raw.length && lastKept[lastKept.length - 1] !== LF) kept.push(Buffer.from('\r\n'));
  kept.push(raw.subarray(end));
  return { raw: Buffer.concat(kept), dropped };
}

function fieldName(start: Buffer): string {
  const text = start.toString('latin1');
  const colon = text.indexOf(':');
  const name = (colon === -1 ? text : text.slice(0, colon)).replace(/[^\x21-\x7e]/g, '').slice(0, 40);
  return name === '' ? '(unnamed)' : name;
}
