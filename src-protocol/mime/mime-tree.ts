/**
 * The MIME structure of a message, for people who want to see how it is
 * built (the structure view, `postern parts`), and the decoded bytes of any
 * one part (`postern part ID N --out FILE`).
 *
 * This reads the message with mailparser's own splitter (@zone-eu/mailsplit,
 * the exact version mailparser pins), so the parts seen here are the parts
 * the message model was made from. Part numbers are IMAP's: the children of
 * the top multipart are 1, 2, ..., their children 1.1, 1.2, ...; the body of
 * a message that is not multipart is part 1; the top multipart itself has
 * the empty part number. Attached messages (message/rfc822) are single
 * parts here; parseAttachedMessage() opens them.
 */
import type { Transform, Writable } from 'node:stream';
import mailsplit from '@zone-eu/mailsplit';
import type { MimeNode as SplitNode, SplitterChunk } from '@zone-eu/mailsplit';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { feedInto, openRaw, type RawSource } from './raw-source.ts';

export interface MimeNode {
  /** IMAP part number: '1', '1.2', ...; '' for the top multipart. */
  part_number: string;
  /** Lower case, without parameters; text/plain when the part declares none. */
  content_type: string;
  charset: string | null;
  /** Content-Disposition value, lower case ('inline', 'attachment'); null when absent. */
  disposition: string | null;
  /** Decoded (RFC 2047/2231) file name; null when the part gives none. */
  filename: string | null;
  /** Content-Transfer-Encoding, lower case; null when absent (7bit). */
  encoding: string | null;
  /** Decoded size in bytes (0 for multiparts). */
  size: number;
  children: MimeNode[];
  /** Only on the top node: what could not be read (a limit reached), in words for the person. */
  notes?: string[];
}

export interface ExtractedPart {
  content_type: string;
  filename: string | null;
  /** The decoded bytes (transfer encoding undone; the charset is left as it is). */
  content: Buffer;
}

/** The part tree of the message. Past the part or header size limit, the tree read so far, with a note. */
export async function mimeTree(source: RawSource, signal?: AbortSignal): Promise<MimeNode> {
  const { root, notes } = await walk(source, new Map(), signal);
  if (root === null) {
    return { part_number: '1', content_type: 'text/plain', charset: null, disposition: null, filename: null, encoding: null, size: 0, children: [], notes };
  }
  root.notes = notes;
  return root;
}

/** The decoded bytes of part `partNumber` (as mimeTree numbers it). */
export async function extractPart(source: RawSource, partNumber: string, signal?: AbortSignal): Promise<ExtractedPart> {
  checkPartNumber(partNumber);
  const found = (await walk(source, new Map([[partNumber, 'keep']]), signal)).found.get(partNumber);
  if (found === undefined) throw new PosternError('NOT_FOUND', `The message has no part ${partNumber}.`);
  return found;
}

/**
 * Writes the decoded bytes of part `partNumber` to `out` as they are decoded
 * (and ends it), without holding the part in memory: for saving a large part
 * to a file. What it wrote is described as extractPart() would, with its size.
 * `out` is not ended when the part is missing (NOT_FOUND) or the parse fails.
 */
export async function writePart(source: RawSource, partNumber: string, out: Writable, signal?: AbortSignal): Promise<PartWritten> {
  checkPartNumber(partNumber);
  const { root } = await walk(source, new Map([[partNumber, out]]), signal);
  const model = root === null ? undefined : findNode(root, partNumber);
  if (model === undefined || model.children.length > 0 || model.content_type.startsWith('multipart/')) {
    throw new PosternError('NOT_FOUND', `The message has no part ${partNumber}.`);
  }
  return { content_type: model.content_type, filename: model.filename, size: model.size };
}

export interface PartWritten {
  content_type: string;
  filename: string | null;
  /** Decoded bytes written. */
  size: number;
}

/** Several parts in one reading of the message; numbers that name no leaf part are missing from the result. */
export async function extractParts(source: RawSource, partNumbers: Iterable<string>, signal?: AbortSignal): Promise<Map<string, ExtractedPart>> {
  return (await walk(source, new Map([...partNumbers].map((n) => [n, 'keep' as const])), signal)).found;
}

function checkPartNumber(partNumber: string): void {
  if (!/^(?:[1-9]\d{0,5})(?:\.[1-9]\d{0,5}){0,63}$/.test(partNumber)) {
    throw new PosternError('BAD_INPUT', `"${partNumber.slice(0, 40)}" is not a part number (they look like 1, 2 or 1.2).`);
  }
}

function findNode(node: MimeNode, partNumber: string): MimeNode | undefined {
  if (node.part_number === partNumber) return node;
  for (const child of node.children) {
    const found = findNode(child, partNumber);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The leaf whose body is being read. */
interface Pending {
  model: MimeNode;
  decoder: Transform;
}

/** Wanted parts by number: their bytes kept in memory, or written to a stream as they are decoded. */
type Wanted = ReadonlyMap<string, 'keep' | Writable>;

async function walk(
  source: RawSource,
  wanted: Wanted,
  signal: AbortSignal | undefined,
): Promise<{ root: MimeNode | null; notes: string[]; found: Map<string, ExtractedPart> }> {
  const reader = await openRaw(source);
  const notes = [...reader.notes];
  const splitter = new mailsplit.Splitter({ ignoreEmbedded: true, maxChildNodes: LIMITS.maxMimeParts, maxHeadSize: LIMITS.maxMimeHeaderBytes });
  const models = new Map<SplitNode, MimeNode>();
  let root: MimeNode | null = null;
  let current: Pending | null = null;
  const pending: Promise<void>[] = [];
  const found = new Map<string, ExtractedPart>();
  let sinkError: unknown = null;

  const finishCurrent = (): void => {
    current?.decoder.end();
    current = null;
  };
  const onAbort = (): void => {
    splitter.destroy(new PosternError('CANCELLED', 'Reading the message was stopped before it finished.'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted === true) onAbort();
    feedInto(reader, splitter as unknown as Writable).catch((err: unknown) => splitter.destroy(err instanceof Error ? err : new Error(String(err))));
    for await (const chunk of splitter as AsyncIterable<SplitterChunk>) {
      if (chunk.type === 'node') {
        finishCurrent();
        const node = chunk;
        const model = describe(node, root === null);
        models.set(node, model);
        const parent = node.parentNode === false ? undefined : models.get(node.parentNode as SplitNode);
        if (parent === undefined) root ??= model;
        else parent.children.push(model);
        if (node.multipart === false) {
          const decoder = node.getDecoder() as Transform;
          const use = wanted.get(model.part_number);
          const sink = use === undefined || use === 'keep' ? null : use;
          const wantedChunks: Buffer[] = [];
          sink?.once('error', (err: unknown) => {
            sinkError ??= err;
            splitter.destroy(err instanceof Error ? err : new Error(String(err)));
          });
          decoder.on('data', (data: Buffer) => {
            model.size += data.length;
            if (use === 'keep') wantedChunks.push(data);
            else if (sink !== null && !sink.write(data)) {
              decoder.pause();
              sink.once('drain', () => decoder.resume());
            }
          });
          const done = new Promise<void>((resolve) => {
            // A decoder error (broken encoding) ends the part where it broke; the rest still counts.
            decoder.once('error', () => resolve());
            decoder.once('end', () => resolve());
          });
          pending.push(done);
          if (use === 'keep') {
            void done.then(() => {
              found.set(model.part_number, { content_type: model.content_type, filename: model.filename, content: Buffer.concat(wantedChunks) });
            });
          } else if (sink !== null) {
            void done.then(() => sink.end());
          }
          current = { model, decoder };
        }
      } else if (chunk.type === 'body') {
        const model = models.get(chunk.node);
        // Waits while a part being written out is slower than the reading (a file on a slow disk).
        if (current !== null && model === current.model && !current.decoder.write(chunk.value)) await drained(current.decoder);
      }
    }
  } catch (err) {
    if (sinkError !== null) throw new PosternError('STORAGE', `The part could not be written: ${(sinkError as Error).message}`, { cause: sinkError });
    if (err instanceof PosternError) throw err;
    if ((err as { code?: unknown } | null)?.code !== 'EMAXLEN') {
      throw new PosternError('BAD_INPUT', `The message could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    notes.push(
      /child nodes/i.test((err as Error).message)
        ? `This message has more than ${LIMITS.maxMimeParts} parts; only the first ones are shown.`
        : 'A part of this message has a header too large to read; the parts from there on are not shown.',
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
    splitter.destroy();
    await reader.close().catch(() => undefined);
  }
  finishCurrent();
  await Promise.all(pending);
  return { root, notes, found };
}

/** Resolves once `decoder` takes writes again, or can never (ended, failed). */
function drained(decoder: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      decoder.off('drain', done);
      decoder.off('error', done);
      decoder.off('close', done);
      resolve();
    };
    decoder.on('drain', done);
    decoder.on('error', done);
    decoder.on('close', done);
  });
}

function describe(node: SplitNode, isRoot: boolean): MimeNode {
  const partNr = (node.partNr === false ? [] : node.partNr).filter((n): n is number => typeof n === 'number');
  // IMAP numbers the body of a single-part message 1; the top multipart has no number.
  const partNumber = partNr.length > 0 ? partNr.join('.') : isRoot && node.multipart === false ? '1' : '';
  return {
    part_number: partNumber,
    content_type: node.contentType === false ? 'text/plain' : node.contentType,
    charset: node.charset === false ? null : node.charset.toLowerCase(),
    disposition: node.disposition === false ? null : node.disposition,
    filename: node.filename === false || node.filename === '' ? null : node.filename,
    encoding: node.encoding === false || node.encoding === '' ? null : node.encoding,
    size: 0,
    children: [],
  };
}
