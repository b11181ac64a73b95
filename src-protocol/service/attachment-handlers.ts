/**
 * The contract calls that put a message's parts on the person's disk or
 * show its source: mail:attachments.open, mail:attachments.saveAll and
 * mail:messages.source. Kept apart from MailService, which lends them a way
 * to get a message's raw bytes (from the store, or fetched once).
 */
import { homedir } from 'node:os';
import type { Writable } from 'node:stream';
import { join } from 'node:path';
import type { CallContext, Handlers } from './dispatcher.ts';
import { LIMITS } from '../common/limits.ts';
import { getAttachmentContent, parseMessage, writeAttachment, type RawSource } from '../mime/parse.ts';
import { saveAll, saveForOpening } from './attachment-files.ts';
import { openWithSystem } from './open-with-system.ts';

export interface AttachmentHandlerDeps {
  rawOf: (id: number, ctx: CallContext) => Promise<Buffer>;
  /** The message as the MIME reader takes it: its stored file when there is one (streamed), else its bytes. */
  sourceOf: (id: number, ctx: CallContext) => Promise<RawSource>;
  /** Where opened attachments are kept for a while (inside the profile). */
  openedDir: string;
  /** Where "Save all" puts files. */
  downloadsDir: string;
}

/** The person's downloads folder: XDG's when set, else ~/Downloads (the Electron shell passes its own). */
export function defaultDownloadsDir(): string {
  return process.env['XDG_DOWNLOAD_DIR'] || join(homedir(), 'Downloads');
}

type AttachmentCalls = Pick<Handlers, 'mail:attachments.open' | 'mail:attachments.saveAll' | 'mail:messages.source'>;

export function attachmentHandlers(deps: AttachmentHandlerDeps): AttachmentCalls {
  return {
    'mail:attachments.open': async ({ id, index }, ctx) => {
      const part = await getAttachmentContent(await deps.sourceOf(id, ctx), index, ctx.signal);
      const path = await saveForOpening(deps.openedDir, part.filename, part.content);
      await openWithSystem(path);
      return { path };
    },
    'mail:attachments.saveAll': async ({ id }, ctx) => {
      const source = await deps.sourceOf(id, ctx);
      const names = (await parseMessage(source, { signal: ctx.signal })).attachments.map((a) => a.save_as);
      // Each attachment is decoded straight into its file: a large one is never whole in memory.
      async function* parts() {
        for (const [i, name] of names.entries()) {
          ctx.signal.throwIfAborted();
          yield { name, write: (out: Writable) => writeAttachment(source, i, out, ctx.signal) };
        }
      }
      return { dir: deps.downloadsDir, files: await saveAll(deps.downloadsDir, parts()) };
    },
    'mail:messages.source': async ({ id }, ctx) => {
      const raw = await deps.rawOf(id, ctx);
      const shown = raw.subarray(0, LIMITS.maxSourceViewBytes);
      return { text: sourceText(shown), size: raw.length, truncated: raw.length > shown.length };
    },
  };
}

/** UTF-8 when the bytes are UTF-8 (a character cut at the end is fine), else one character per byte, never replacement marks. */
function sourceText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return bytes.toString('latin1');
  }
}
