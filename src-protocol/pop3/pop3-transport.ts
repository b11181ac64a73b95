/**
 * One POP3 connection: the socket (plain until STLS, or TLS from the start),
 * the response reader, and the one timer and the listeners that go with them.
 * One command at a time: a command is written, then its answer is awaited
 * with an idle timeout that restarts whenever bytes arrive. Any failure
 * (socket error, timeout, cancellation, malformed answer, the server closing)
 * closes the connection, because POP3 cannot resynchronise mid-answer; close
 * removes every listener and clears the timer.
 */
import net from 'node:net';
import tls from 'node:tls';
import { PosternError } from '../common/errors.ts';
import { classifyNetworkError } from '../net/classify-error.ts';
import type { NodeTlsOptions } from '../net/tls-policy.ts';
import type { Pop3Response } from './pop3-response.ts';
import { Pop3ResponseReader, type Pop3ReaderLimits } from './pop3-response-reader.ts';

export type WireDirection = 'C' | 'S';

export interface Pop3TransportOptions {
  host: string;
  port: number;
  /** TLS from the first byte (POP3S, port 995); otherwise plain until startTls(). */
  implicitTls: boolean;
  tls: NodeTlsOptions;
  /** Covers TCP and, with implicit TLS, the handshake. */
  connectTimeoutMs: number;
  /** How the server is named in messages, e.g. "The POP3 server mail.example:995". */
  server: string;
  signal?: AbortSignal | undefined;
  readerLimits?: Partial<Pop3ReaderLimits> | undefined;
  /** Sees the conversation: command lines (as the caller masked them) and status lines, never bodies. */
  onWire?: ((direction: WireDirection, text: string) => void) | undefined;
}

type AnySocket = net.Socket | tls.TLSSocket;

interface Pending {
  what: string;
  reject: (err: PosternError) => void;
  /** Set while awaiting an answer: the answer goes here, and data restarts the idle timer. */
  onResponse?: (response: Pop3Response) => void;
  /** Maps a socket error during this step (e.g. a failed handshake becomes TLS_FAILED). */
  mapError?: (err: PosternError) => PosternError;
}

export class Pop3Transport {
  #socket: AnySocket;
  readonly #reader: Pop3ResponseReader;
  readonly #server: string;
  readonly #host: string;
  readonly #signal: AbortSignal | undefined;
  readonly #onWire: Pop3TransportOptions['onWire'];
  /** Removes each listener this transport added; run on STLS and on close. */
  readonly #removers: Array<() => void> = [];
  #pending: Pending | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failure: PosternError | undefined;

  private constructor(socket: AnySocket, options: Pop3TransportOptions) {
    this.#socket = socket;
    this.#reader = new Pop3ResponseReader(options.readerLimits);
    this.#server = options.server;
    this.#host = options.host;
    this.#signal = options.signal;
    this.#onWire = options.onWire;
    this.#attach(socket);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Opens the connection; resolves once TCP (and with implicit TLS, the handshake) is up. */
  static async connect(options: Pop3TransportOptions): Promise<Pop3Transport> {
    if (options.signal?.aborted) throw cancelled(options.server);
    const socket = options.implicitTls
      ? tls.connect({ host: options.host, port: options.port, ...options.tls })
      : net.connect({ host: options.host, port: options.port });
    const transport = new Pop3Transport(socket, options);
    await transport.#waitForEvent(socket, options.implicitTls ? 'secureConnect' : 'connect', options.connectTimeoutMs, {
      what: 'connecting',
    });
    return transport;
  }

  get closed(): boolean {
    return this.#failure !== undefined;
  }

  get encrypted(): boolean {
    return this.#socket instanceof tls.TLSSocket && this.#socket.encrypted;
  }

  /** Awaits an answer nobody asked for with a command: the greeting. */
  read(timeoutMs: number, what: string): Promise<Pop3Response> {
    return this.#awaitResponse(false, timeoutMs, what);
  }

  /**
   * Sends one command line and awaits its answer. `logAs` is what the wire
   * log shows instead of the line (credentials masked).
   */
  command(line: string, multiLine: boolean, options: { timeoutMs: number; what: string; logAs?: string }): Promise<Pop3Response> {
    // A CR or LF would end the command early and smuggle in another one.
    // The line itself is not quoted: it may hold a password.
    if (/[\r\n\0]/.test(line)) {
      return Promise.reject(new PosternError('BAD_INPUT', `The ${options.what} command contains a line break or NUL, which POP3 cannot carry.`));
    }
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#pending) return Promise.reject(this.#busy(options.what));
    if (this.#reader.bufferedBytes > 0) {
      // Bytes nobody asked for would be taken as this command's answer.
      this.#fail(new PosternError('PROTOCOL', `${this.#server} sent data nobody asked for; the conversation is out of step.`));
      return Promise.reject(this.#failure);
    }
    const answer = this.#awaitResponse(multiLine, options.timeoutMs, options.what);
    this.#socket.write(Buffer.from(`${line}\r\n`, 'utf8'));
    this.#onWire?.('C', options.logAs ?? line);
    return answer;
  }

  /**
   * Switches to TLS after the server's +OK to STLS. Bytes already received
   * past that +OK came before encryption and could be injected by anyone on
   * the path (CVE-2011-0411), so they make the upgrade fail.
   */
  async startTls(options: NodeTlsOptions, timeoutMs: number): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#reader.bufferedBytes > 0) {
      const err = new PosternError('TLS_FAILED', `${this.#server} sent data before TLS started; refusing to continue, as it may have been injected.`);
      this.#fail(err);
      throw err;
    }
    const plain = this.#socket;
    this.#detach();
    // From here the TLS socket reports errors; the plain one must not crash the process.
    plain.on('error', ignore);
    // `host` only names the server for the certificate check; no new connection is made.
    const secure = tls.connect({ socket: plain, host: this.#host, ...options });
    this.#socket = secure;
    this.#attach(secure);
    await this.#waitForEvent(secure, 'secureConnect', timeoutMs, {
      what: 'TLS handshake',
      mapError: (err) =>
        err.code === 'TLS_UNTRUSTED' || err.code === 'TIMEOUT' || err.code === 'CANCELLED'
          ? err
          : new PosternError('TLS_FAILED', `The TLS handshake with ${this.#server} after STLS failed: ${err.message}`, { cause: err }),
    });
  }

  /** Drops the connection (no QUIT: the server deletes nothing). Safe to call twice. */
  close(): void {
    this.#fail(new PosternError('CONNECT_FAILED', `The connection to ${this.#server} is closed.`));
  }

  #awaitResponse(multiLine: boolean, timeoutMs: number, what: string): Promise<Pop3Response> {
    if (this.#pending) return Promise.reject(this.#busy(what));
    let ready: Pop3Response | undefined;
    // An answer may already be complete, even when the server closed right
    // after it (a greeting with -ERR [IN-USE] and a hang-up).
    if (!this.#reader.inProgress) {
      try {
        ready = this.#reader.expect(multiLine);
      } catch (err) {
        this.#fail(asPosternError(err, this.#server));
      }
    }
    if (ready) {
      this.#logResponse(ready);
      return Promise.resolve(ready);
    }
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending = { what, reject, onResponse: resolve };
      this.#startTimer(timeoutMs, what);
    });
  }

  #busy(what: string): PosternError {
    return new PosternError('INTERNAL', `A POP3 command (${what}) was sent while ${this.#pending?.what ?? 'another'} was still waiting.`);
  }

  #waitForEvent(socket: AnySocket, event: 'connect' | 'secureConnect', timeoutMs: number, pending: Omit<Pending, 'reject'>): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending = { ...pending, reject };
      this.#startTimer(timeoutMs, pending.what);
      const onReady = (): void => {
        this.#stopTimer();
        this.#pending = undefined;
        resolve();
      };
      socket.once(event, onReady);
      this.#removers.push(() => socket.off(event, onReady));
    });
  }

  #attach(socket: AnySocket): void {
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    this.#removers.push(() => {
      socket.off('data', this.#onData);
      socket.off('error', this.#onError);
      socket.off('close', this.#onClose);
    });
  }

  #detach(): void {
    for (const remove of this.#removers.splice(0)) remove();
  }

  #onData = (chunk: Buffer): void => {
    let response: Pop3Response | undefined;
    try {
      response = this.#reader.push(chunk);
    } catch (err) {
      this.#fail(asPosternError(err, this.#server));
      return;
    }
    const pending = this.#pending;
    if (!pending?.onResponse) return;
    if (!response) {
      this.#timer?.refresh();
      return;
    }
    this.#stopTimer();
    this.#pending = undefined;
    this.#logResponse(response);
    pending.onResponse(response);
  };

  #onError = (err: Error): void => {
    this.#fail(classifyNetworkError(err, this.#server));
  };

  #onClose = (): void => {
    const midAnswer = this.#reader.receivedForCurrent;
    const detail = this.#pending?.onResponse && midAnswer > 0 ? ` in the middle of an answer (after ${midAnswer} bytes)` : '';
    this.#fail(new PosternError('CONNECT_FAILED', `${this.#server} closed the connection${detail}.`));
  };

  #onAbort = (): void => {
    this.#fail(cancelled(this.#server));
  };

  #startTimer(ms: number, what: string): void {
    this.#stopTimer();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#fail(new PosternError('TIMEOUT', `${this.#server} did not answer within ${formatSeconds(ms)} (${what}).`));
    }, ms);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Closes everything once; the first failure is the one callers see. */
  #fail(err: PosternError): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#stopTimer();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const socket = this.#socket;
    this.#detach();
    // A late error from a socket being torn down must not crash the process.
    socket.on('error', ignore);
    socket.destroy();
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(pending.mapError ? pending.mapError(err) : err);
  }

  #logResponse(response: Pop3Response): void {
    if (!this.#onWire) return;
    const line = response.line.toString('utf8');
    this.#onWire('S', response.body ? `${line} [${response.body.length} bytes follow]` : line);
  }
}

function ignore(): void {}

function cancelled(server: string): PosternError {
  return new PosternError('CANCELLED', `Talking to ${server} was cancelled.`);
}

/** Names the server in the reader's errors ("The server sent a line longer than ..."). */
function asPosternError(err: unknown, server: string): PosternError {
  if (err instanceof PosternError) return new PosternError(err.code, `${server}: ${err.message}`, { cause: err });
  return new PosternError('INTERNAL', `${server}: ${String(err)}`, { cause: err });
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
