// A local HTTP server standing in for a sender's tracking pixel: it counts
// requests, and the test asserts that opening a message made none.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Tracker {
  url: string;
  /** The server's origin (http://127.0.0.1:PORT), for other paths on it. */
  origin: string;
  hits: () => number;
  /** The paths requested so far, in order. */
  paths: () => string[];
  close: () => Promise<void>;
}

export async function startTracker(): Promise<Tracker> {
  let hits = 0;
  const paths: string[] = [];
  const server = createServer((req, res) => {
    hits++;
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/gif' });
    res.end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pixel.gif`,
    origin: `http://127.0.0.1:${port}`,
    hits: () => hits,
    paths: () => [...paths],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
