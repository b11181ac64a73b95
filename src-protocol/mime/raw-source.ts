/**
 * Where the MIME reader gets a raw message from: bytes already in memory, or
 * the file the blob store keeps it in. A large file is streamed in chunks,
 * so the raw message is never whole in memory next to what is decoded from
 * it (a 50 MB attachment is base64 text of 67 MB). The repairs of
 * raw-repair.ts are applied on the way, chunk by chunk.
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { BareCrToLfStream, repairRaw, rootHeaderEnd, trimRootHeader } from './raw-repair.ts';

/** A raw message: its bytes, or the path of a file holding them. */
export type RawSource = Buffer | { file: string };

/** The repaired message, chunk by chunk. */
export interface RawReader {
  /** What the repairs changed, in words for the person (ParsedMessage.notes). */
  readonly notes: string[];
  /** The next chunk, or null at the end. */
  next(): Promise<Buffer | null>;
  close(): Promise<void>;
}

// Chunks written into the splitter: with backpressure, so it works at the pace of the
// attachments being read (more of them are listed when it stops at a limit). 64 KiB, not
// more: the base64 decoder turns each chunk into a string, and a string over V8's 128 KiB
// "large object" size lives until a full GC, so bigger chunks tripled the peak memory of
// parsing a 48 MB attachment (measured: 25 MB over the baseline at 64 KiB, 60 MB at 128 KiB).
const FEED_BYTES = 64 * 1024;
// The first read of a streamed file. The root header has to end inside it, so that it can
// be trimmed (trimRootHeader) before the splitter sees it; a message whose header does not
// end there is read whole instead.
const HEAD_BYTES = 4 * 1024 * 1024;

export async function openRaw(source: RawSource): Promise<RawReader> {
  if (Buffer.isBuffer(source)) return bufferReader(checkedSize(source));
  const size = await fileSize(source.file);
  // A file this small is read in one go: the fastest way in, and memory does not matter yet.
  if (size <= LIMITS.readWholeMessageBytes) return bufferReader(await readWhole(source.file));
  return fileReader(source.file);
}

/** The whole repaired message in memory, for the rare reading that needs it at once. */
export async function readRepaired(source: RawSource): Promise<Buffer> {
  const raw = Buffer.isBuffer(source) ? checkedSize(source) : await readWhole(source.file);
  return repairRaw(raw).raw;
}

/**
 * Writes everything `reader` gives into `into`, waiting whenever it asks to,
 * then ends it. Returns early when `into` is destroyed (a parse stopped).
 */
export async function feedInto(reader: RawReader, into: Writable): Promise<void> {
  for (;;) {
    const chunk = await reader.next();
    if (into.destroyed) return;
    if (chunk === null) {
      into.end();
      return;
    }
    if (!into.write(chunk)) await drained(into);
  }
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function bufferReader(input: Buffer): RawReader {
  const { raw, notes } = repairRaw(input);
  let at = 0;
  return {
    notes,
    next: () => {
      if (at >= raw.length) return Promise.resolve(null);
      const chunk = raw.subarray(at, at + FEED_BYTES);
      at += chunk.length;
      return Promise.resolve(chunk);
    },
    close: () => Promise.resolve(),
  };
}

async function fileReader(file: string): Promise<RawReader> {
  const fh = await openFile(file);
  try {
    const crs = new BareCrToLfStream();
    const head = crs.push(await readChunk(fh, HEAD_BYTES));
    // No blank line in the head: a header this large is hostile, and is read whole to be trimmed.
    if (rootHeaderEnd(head) >= head.length) {
      await fh.close();
      return bufferReader(await readWhole(file));
    }
    const trimmed = trimRootHeader(head);
    const names = [...new Set(trimmed.dropped)].slice(0, 5).join(', ');
    const notes = trimmed.dropped.length > 0 ? [`Some header fields were too large to read (${names}) and are not shown.`] : [];
    // The head goes in FEED_BYTES slices like the rest, so the splitter never runs far ahead.
    let rest = trimmed.raw;
    let ended = false;
    return {
      notes,
      next: async () => {
        if (rest.length > 0) {
          const chunk = rest.subarray(0, FEED_BYTES);
          rest = rest.subarray(chunk.length);
          return chunk;
        }
        if (ended) return null;
        const chunk = await readChunk(fh, FEED_BYTES);
        if (chunk.length === 0) {
          ended = true;
          const rest = crs.end();
          return rest.length > 0 ? rest : null;
        }
        return crs.push(chunk);
      },
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Up to `bytes` from the file's current position, in a buffer of its own (the splitter keeps slices of it). */
async function readChunk(fh: FileHandle, bytes: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(bytes);
  let filled = 0;
  while (filled < bytes) {
    const { bytesRead } = await fh.read(buffer, filled, bytes - filled, null).catch(unreadable);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === bytes ? buffer : buffer.subarray(0, filled);
}

function checkedSize(raw: Buffer): Buffer {
  if (raw.length > LIMITS.maxParseBytes) throw tooLarge(raw.length);
  return raw;
}

async function fileSize(file: string): Promise<number> {
  const size = (await stat(file).catch(unreadable)).size;
  if (size > LIMITS.maxParseBytes) throw tooLarge(size);
  return size;
}

async function readWhole(file: string): Promise<Buffer> {
  await fileSize(file);
  return checkedSize(await readFile(file).catch(unreadable));
}

function openFile(file: string): Promise<FileHandle> {
  return open(file, 'r').catch(unreadable);
}

function unreadable(err: unknown): never {
  if ((err as { code?: unknown } | null)?.code === 'ENOENT') throw new PosternError('NOT_FOUND', 'The stored copy of this message is missing.', { cause: err });
  throw new PosternError('NOT_FOUND', `The stored copy of this message could not be read: ${(err as Error).message}`, { cause: err });
}

function tooLarge(bytes: number): PosternError {
  return new PosternError('BAD_INPUT', `The message is ${formatMiB(bytes)}, larger than the ${formatMiB(LIMITS.maxParseBytes)} Postern reads.`);
}

export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
