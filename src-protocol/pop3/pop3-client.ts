/**
 * A signed-in POP3 session (the TRANSACTION state of RFC 1939). Made by
 * connectPop3(). Commands run one at a time in the order called. Message
 * numbers are valid for this session only; use UIDL to know a message
 * across sessions. Deletions take effect only when quit() returns true:
 * close(), a dropped connection or a failed QUIT deletes nothing.
 */
import { PosternError } from '../common/errors.ts';
import type { Pop3AuthMechanism } from './pop3-auth.ts';
import { parseCapabilities, type Pop3Capabilities } from './pop3-capabilities.ts';
import { isMultiLine } from './pop3-command-shape.ts';
import { errorFromResponse } from './pop3-errors.ts';
import {
  parseListing,
  parseScanListing,
  parseStat,
  parseUidListing,
  type Pop3ScanListing,
  type Pop3Stat,
  type Pop3UidListing,
} from './pop3-listings.ts';
import type { Pop3Response } from './pop3-response.ts';
import type { Pop3Transport } from './pop3-transport.ts';

export interface Pop3SessionInfo {
  /** The greeting's text, for display. */
  greeting: string;
  /** CAPA after signing in; undefined when the server has no CAPA. */
  capabilities: Pop3Capabilities | undefined;
  mechanism: Pop3AuthMechanism;
  /** True when the server accepted UTF8 (RFC 6856). */
  utf8: boolean;
}

export class Pop3Client {
  readonly #t: Pop3Transport;
  readonly #server: string;
  readonly #commandIdleMs: number;
  readonly info: Pop3SessionInfo;
  /** The previous command's completion: commands never overlap on the wire. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(transport: Pop3Transport, server: string, commandIdleMs: number, info: Pop3SessionInfo) {
    this.#t = transport;
    this.#server = server;
    this.#commandIdleMs = commandIdleMs;
    this.info = info;
  }

  /** True once the connection is gone (QUIT, close(), an error, the server hanging up). */
  get closed(): boolean {
    return this.#t.closed;
  }

  /** Capabilities may change after sign-in (RFC 2449), so this asks again. */
  async capa(): Promise<Pop3Capabilities> {
    const r = await this.#ok('CAPA', [], 'the capability list (CAPA)');
    return parseCapabilities(r.body ?? Buffer.alloc(0));
  }

  async stat(): Promise<Pop3Stat> {
    return parseStat((await this.#ok('STAT', [], 'the maildrop status (STAT)')).text);
  }

  /** Sizes of all messages not marked deleted, or of message `msg`. */
  list(): Promise<Pop3ScanListing[]>;
  list(msg: number): Promise<Pop3ScanListing>;
  async list(msg?: number): Promise<Pop3ScanListing[] | Pop3ScanListing> {
    if (msg === undefined) return parseListing(this.#bodyOf(await this.#ok('LIST', [], 'the message list (LIST)')), parseScanListing);
    return parseScanListing((await this.#ok('LIST', [messageNumber(msg)], `the size of message ${msg} (LIST)`)).text);
  }

  /** Unique ids of all messages not marked deleted, or of message `msg`. */
  uidl(): Promise<Pop3UidListing[]>;
  uidl(msg: number): Promise<Pop3UidListing>;
  async uidl(msg?: number): Promise<Pop3UidListing[] | Pop3UidListing> {
    if (msg === undefined) return parseListing(this.#bodyOf(await this.#ok('UIDL', [], 'the unique ids (UIDL)')), parseUidListing);
    return parseUidListing((await this.#ok('UIDL', [messageNumber(msg)], `the unique id of message ${msg} (UIDL)`)).text);
  }

  /** The whole message, byte for byte as the server holds it (CRLF line ends). */
  async retr(msg: number): Promise<Buffer> {
    return this.#bodyOf(await this.#ok('RETR', [messageNumber(msg)], `message ${msg} (RETR)`));
  }

  /** The header, the blank line and the first `lines` lines of the body. */
  async top(msg: number, lines: number): Promise<Buffer> {
    if (!Number.isSafeInteger(lines) || lines < 0) throw new PosternError('BAD_INPUT', `TOP needs a line count of 0 or more, not ${lines}.`);
    return this.#bodyOf(await this.#ok('TOP', [messageNumber(msg), String(lines)], `the start of message ${msg} (TOP)`));
  }

  /** Marks a message deleted. It is removed only if quit() later returns true. */
  async dele(msg: number): Promise<void> {
    await this.#ok('DELE', [messageNumber(msg)], `to delete message ${msg} (DELE)`);
  }

  /** Unmarks every message marked deleted in this session. */
  async rset(): Promise<void> {
    await this.#ok('RSET', [], 'to undo deletions (RSET)');
  }

  async noop(): Promise<void> {
    await this.#ok('NOOP', [], 'NOOP');
  }

  /**
   * Ends the session. Returns true when the server answered +OK, that is,
   * it entered the UPDATE state and removed the messages marked deleted;
   * false when it answered -ERR (then some may not have been removed).
   * Throws when the connection failed before an answer (nothing confirmed).
   * The connection is closed either way.
   */
  async quit(): Promise<boolean> {
    try {
      const r = await this.#send('QUIT', []);
      return r.status === 'ok';
    } finally {
      this.#t.close();
    }
  }

  /** Drops the connection without QUIT: the server deletes nothing marked in this session. */
  close(): void {
    this.#t.close();
  }

  /** Sends a command and insists on +OK. */
  async #ok(verb: string, args: readonly string[], what: string): Promise<Pop3Response> {
    const r = await this.#send(verb, args);
    if (r.status === 'continue') throw new PosternError('PROTOCOL', `${this.#server} answered ${verb} with a SASL challenge.`);
    if (r.status !== 'ok') throw errorFromResponse(r, this.#server, { kind: 'command', what });
    return r;
  }

  #send(verb: string, args: readonly string[]): Promise<Pop3Response> {
    const line = [verb, ...args].join(' ');
    const run = (): Promise<Pop3Response> =>
      this.#t.command(line, isMultiLine(verb, args), { timeoutMs: this.#commandIdleMs, what: verb });
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #bodyOf(r: Pop3Response): Buffer {
    if (r.body === undefined) throw new PosternError('INTERNAL', `${this.#server}: a multi-line answer had no body.`);
    return r.body;
  }
}

function messageNumber(msg: number): string {
  if (!Number.isSafeInteger(msg) || msg < 1) throw new PosternError('BAD_INPUT', `POP3 message numbers start at 1; ${msg} is not one.`);
  return String(msg);
}
