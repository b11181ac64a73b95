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
import { Readable } from 'node:stream';
import type { Transform } from 'node:stream';
import mailsplit from '@zone-eu/mailsplit';
import type { MimeNode as SplitNode, SplitterChunk } from '@zone-eu/mailsplit';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { repairRaw } from './raw-repair.ts';

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

const FEED_BYTES = 256 * 1024;

/** The part tree of `raw`. Past the part or header size limit, the tree read so far, with a note. */
export async function mimeTree(raw: Buffer, signal?: AbortSignal): Promise<MimeNode> {
  const { root, notes } = await walk(raw, new Set(), signal);
  if (root === null) {
    return { part_number: '1', content_type: 'text/plain', charset: null, disposition: null, filename: null, encoding: null, size: 0, children: [], notes };
  }
  root.notes = notes;
  return root;
}

/** The decoded bytes of part `partNumber` (as mimeTree numbers it). */
export async function extractPart(raw: Buffer, partNumber: string, signal?: AbortSignal): Promise<ExtractedPart> {
  if (!/^(?:[1-9]\d{0,5})(?:\.[1-9]\d{0,5}){0,63}$/.test(partNumber)) {
    throw new PosternError('BAD_INPUT', `"${partNumber.slice(0, 40)}" is not a part number (they look like 1, 2 or 1.2).`);
  }
  const found = (await walk(raw, new Set([partNumber]), signal)).found.get(partNumber);
  if (found === undefined) throw new PosternError('NOT_FOUND', `The message has no part ${partNumber}.`);
  return found;
}

/** Several parts in one reading of the message; numbers that name no leaf part are missing from the result. */
export async function extractParts(raw: Buffer, partNumbers: Iterable<string>, signal?: AbortSignal): Promise<Map<string, ExtractedPart>> {
  return (await walk(raw, new Set(partNumbers), signal)).found;
}

/** The leaf whose body is being read. */
interface Pending {
  model: MimeNode;
  decoder: Transform;
}

async function walk(
  input: Buffer,
  wanted: ReadonlySet<string>,
  signal: AbortSignal | undefined,
): Promise<{ root: MimeNode | null; notes: string[]; found: Map<string, ExtractedPart> }> {
  if (input.length > LIMITS.maxParseBytes) {
    throw new PosternError('BAD_INPUT', `The message is larger than the ${LIMITS.maxParseBytes / (1024 * 1024)} MB Postern reads.`);
  }
  const { raw, notes } = repairRaw(input);
  const splitter = new mailsplit.Splitter({ ignoreEmbedded: true, maxChildNodes: LIMITS.maxMimeParts, maxHeadSize: LIMITS.maxMimeHeaderBytes });
  const models = new Map<SplitNode, MimeNode>();
  let root: MimeNode | null = null;
  let current: Pending | null = null;
  const pending: Promise<void>[] = [];
  const found = new Map<string, ExtractedPart>();

  const finishCurrent = (): void => {
    current?.decoder.end();
    current = null;
  };
  const feed = Readable.from(slices(raw));
  const onAbort = (): void => {
    splitter.destroy(new PosternError('CANCELLED', 'Reading the message was stopped before it finished.'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted === true) onAbort();
    feed.pipe(splitter);
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
          const isWanted = wanted.has(model.part_number);
          const wantedChunks: Buffer[] = [];
          decoder.on('data', (data: Buffer) => {
            model.size += data.length;
            if (isWanted) wantedChunks.push(data);
          });
          const done = new Promise<void>((resolve) => {
            // A decoder error (broken encoding) ends the part where it broke; the rest still counts.
            decoder.once('error', () => resolve());
            decoder.once('end', () => resolve());
          });
          pending.push(done);
          if (isWanted) {
            void done.then(() => {
              found.set(model.part_number, { content_type: model.content_type, filename: model.filename, content: Buffer.concat(wantedChunks) });
            });
          }
          current = { model, decoder };
        }
      } else if (chunk.type === 'body') {
        const model = models.get(chunk.node);
        if (current !== null && model === current.model) current.decoder.write(chunk.value);
      }
    }
  } catch (err) {
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
    feed.unpipe(splitter);
    feed.destroy();
    splitter.destroy();
  }
  finishCurrent();
  await Promise.all(pending);
  return { root, notes, found };
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

function* slices(raw: Buffer): Generator<Buffer> {
  for (let i = 0; i < raw.length; i += FEED_BYTES) yield raw.subarray(i, i + FEED_BYTES);
}
