// A TCP relay on 127.0.0.1 in front of a real server, so a test can take
// "the network" away (close it, cutting every connection) and bring it back
// on the same port, or make it slow (a rate for what the server sends).
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Cuts every connection and refuses new ones. */
  down(): Promise<void>;
  /** Accepts connections again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
  /** Bytes per second from the server to the client from now on; null: as fast as it goes. */
  limit(bytesPerSecond: number | null): void;
  /** Bytes the server has sent through the relay so far. */
  readonly bytesDown: number;
  /** Connections the relay has accepted so far. */
  readonly accepted: number;
}

/**
 * Ties a relay's two sockets together and keeps them in `open` while they
 * are. One side gone, the other goes too: as on a real network, a client
 * that drops its connection stops the server's sending (the relay must not
 * go on draining it).
 */
export function pairSockets(client: net.Socket, upstream: net.Socket, open: Set<net.Socket>): void {
  for (const s of [client, upstream]) {
    open.add(s);
    s.on('close', () => {
      open.delete(s);
      client.destroy();
      upstream.destroy();
    });
    s.on('error', () => {
      client.destroy();
      upstream.destroy();
    });
  }
}

export async function startTcpProxy(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  let rate: number | null = null;
  let bytesDown = 0;
  let accepted = 0;
  const timers = new Set<NodeJS.Timeout>();

  const listen = () => new Promise<void>((resolve, reject) => {
    server = net.createServer((client) => {
      accepted++;
      const upstream = net.connect(targetPort, host);
      pairSockets(client, upstream, sockets);
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        bytesDown += chunk.length;
        if (!client.write(chunk)) {
          upstream.pause();
          client.once('drain', () => upstream.resume());
        }
        if (rate !== null) {
          // Hold the next chunk back for as long as this one takes at the rate.
          upstream.pause();
          const t = setTimeout(() => {
            timers.delete(t);
            if (!upstream.destroyed) upstream.resume();
          }, Math.ceil((chunk.length / rate) * 1000));
          timers.add(t);
        }
      });
      upstream.on('end', () => client.end());
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      port = (server?.address() as net.AddressInfo).port;
      resolve();
    });
  });

  const down = async () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of sockets) s.destroy();
    sockets.clear();
    const s = server;
    server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() { return port; },
    get bytesDown() { return bytesDown; },
    get accepted() { return accepted; },
    down, up: listen, close: down,
    limit: (bytesPerSecond) => { rate = bytesPerSecond; },
  };
}
