// A TLS relay on 127.0.0.1 in front of the real Dovecot that rewrites the
// server's response lines, so a test can meet a server Dovecot is not: one
// without UIDPLUS, say, that never says which UID a moved message got.
// It ends TLS with the test CA's own server certificate (the client checks
// it as it would Dovecot's) and talks TLS on to Dovecot's IMAPS port.
// Literals (message bytes) pass untouched: only lines are rewritten.
import type net from 'node:net';
import tls from 'node:tls';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../servers/layout.ts';
import type { TestServers } from '../servers/harness.ts';
import { pairSockets } from './tcp-proxy.ts';

export interface ImapRewriteProxy {
  port: number;
  close(): Promise<void>;
}

/** Rewrites one response line (without its CRLF); return it unchanged to pass it on. */
export type LineRewrite = (line: string) => string;

/** Without UIDPLUS: no such capability, and no COPYUID/APPENDUID codes in any answer. */
export const withoutUidplus: LineRewrite = (line) => line
  .replace(/ \[(?:COPYUID|APPENDUID) [^\]]*\]/gi, '')
  .replace(/(CAPABILITY[^\]\r\n]*?) UIDPLUS\b/gi, '$1');

export async function startImapRewriteProxy(servers: TestServers, rewrite: LineRewrite): Promise<ImapRewriteProxy> {
  const dir = layout(servers.stateDir).tls;
  const [cert, key] = await Promise.all([readFile(join(dir, 'server.pem')), readFile(join(dir, 'server.key'))]);
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert, key }, (client) => {
    const upstream = tls.connect({ host: servers.host, port: servers.ports.imaps, ca: servers.caPem, servername: 'localhost' });
    pairSockets(client, upstream, sockets);
    client.pipe(upstream);
    const lines = new LineRewriter(rewrite);
    upstream.on('data', (chunk: Buffer) => {
      const out = lines.push(chunk);
      if (out.length) client.write(out);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, servers.host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits the server's bytes into lines and literals; rewrites lines, passes literals as they are. */
class LineRewriter {
  readonly #rewrite: LineRewrite;
  #pending = Buffer.alloc(0);
  /** Bytes of a literal still to pass before the next line starts. */
  #literalLeft = 0;

  constructor(rewrite: LineRewrite) {
    this.#rewrite = rewrite;
  }

  push(chunk: Buffer): Buffer {
    let buf = Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.#literalLeft > 0) {
        const take = Math.min(this.#literalLeft, buf.length);
        out.push(buf.subarray(0, take));
        buf = buf.subarray(take);
        this.#literalLeft -= take;
        if (this.#literalLeft > 0) break;
        continue;
      }
      const end = buf.indexOf('\r\n');
      if (end < 0) break;
      const line = buf.subarray(0, end).toString('latin1');
      out.push(Buffer.from(`${this.#rewrite(line)}\r\n`, 'latin1'));
      buf = buf.subarray(end + 2);
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal) this.#literalLeft = Number(literal[1]);
    }
    this.#pending = Buffer.from(buf);
    return Buffer.concat(out);
  }
}
