/**
 * The reference for header sync: the least any client can do to learn a
 * folder's message list. A bare TLS socket logs in, EXAMINEs the folder and
 * sends one `FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)`; the
 * time is from sending that command until its tagged OK has been read.
 * Nothing is parsed beyond finding line starts, so this is the cost of the
 * server plus TLS plus reading the bytes.
 */
import { connect, type TLSSocket } from 'node:tls';

export interface RawFetchSettings {
  host: string;
  port: number;
  caPem: string;
  user: string;
  password: string;
  folder?: string;
}

export interface RawFetchResult {
  /** From sending FETCH until its tagged OK arrived. */
  fetchMs: number;
  /** TLS connect + greeting + LOGIN + EXAMINE, before the FETCH. */
  setupMs: number;
  bytes: number;
  /** `* n FETCH` responses seen (should equal the folder's message count). */
  messages: number;
}

/** Tags are plain words (a1, a2, ...); this one waits for the server's greeting instead. */
const GREETING = '<greeting>';

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** Reads a socket's responses and resolves when a tagged line arrives. */
class ResponseReader {
  readonly #socket: TLSSocket;
  #carry = '';
  #waiting: { tag: string; resolve: () => void; reject: (e: Error) => void } | null = null;
  bytes = 0;
  fetches = 0;

  constructor(socket: TLSSocket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#waiting?.reject(err));
    socket.on('close', () => this.#waiting?.reject(new Error('the server closed the connection')));
  }

  /** Sends `tag command` and waits for `tag OK`. */
  command(tag: string, command: string): Promise<void> {
    const done = this.waitFor(tag);
    this.#socket.write(`${tag} ${command}\r\n`);
    return done;
  }

  waitFor(tag: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting = { tag, resolve, reject };
    });
  }

  #settle(waiting: { resolve: () => void; reject: (e: Error) => void }, error: Error | null): void {
    this.#waiting = null;
    if (error) waiting.reject(error);
    else waiting.resolve();
  }

  #onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    // Only the chunk and a short carry-over from the previous one are
    // searched, so reading a large response stays linear.
    const text = this.#carry + chunk.toString('latin1');
    const fresh = this.#carry.length;
    for (const m of text.matchAll(/\r\n\* \d+ FETCH /g)) if (m.index + m[0].length > fresh) this.fetches++;
    const waiting = this.#waiting;
    if (waiting?.tag === GREETING) {
      if (/^\* (OK|PREAUTH)/.test(text)) this.#settle(waiting, null);
      else if (/^\* BYE/.test(text)) this.#settle(waiting, new Error(text.split('\r\n')[0]));
    } else if (waiting) {
      const line = new RegExp(`(?:^|\\r\\n)${waiting.tag} (OK|NO|BAD)([^\\r]*)\\r\\n`).exec(text);
      if (line && line.index + line[0].length > fresh) {
        this.#settle(waiting, line[1] === 'OK' ? null : new Error(`${waiting.tag} ${line[1]}${line[2]}`));
      }
    }
    this.#carry = text.slice(-200);
  }
}

export async function rawHeaderFetch(settings: RawFetchSettings): Promise<RawFetchResult> {
  const started = performance.now();
  const socket = connect({ host: settings.host, port: settings.port, ca: settings.caPem, servername: 'localhost' });
  try {
    const reader = new ResponseReader(socket);
    await reader.waitFor(GREETING);
    await reader.command('a1', `LOGIN ${quote(settings.user)} ${quote(settings.password)}`);
    await reader.command('a2', `EXAMINE ${quote(settings.folder ?? 'INBOX')}`);
    const before = reader.bytes;
    reader.fetches = 0;
    const t0 = performance.now();
    await reader.command('a3', 'FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)');
    const t1 = performance.now();
    const result = { fetchMs: t1 - t0, setupMs: t0 - started, bytes: reader.bytes - before, messages: reader.fetches };
    await reader.command('a4', 'LOGOUT').catch(() => undefined);
    return result;
  } finally {
    socket.destroy();
  }
}
