/**
 * The web bridge behind `postern serve`: the built renderer over HTTP and
 * the IPC contract over a WebSocket, on 127.0.0.1 only. A random token
 * (in the page URL's #fragment, so it never reaches logs or Referer) and an
 * Origin check keep other pages and local users' browsers out; a Host check
 * stops DNS rebinding.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatcher } from '../service/dispatcher-types.ts';
import type { BridgeClientMessage, BridgeServerMessage } from '../contract/envelope.ts';
import { BRIDGE_PATHS } from '../contract/preload-api.ts';
import { LIMITS } from '../common/limits.ts';

export interface WebBridge {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

export async function startWebBridge(options: { dispatcher: Dispatcher; rendererDir: string; port?: number; token?: string }): Promise<WebBridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = options.port ?? 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return void deny(res, 421, 'Wrong host');
    void serveStatic(options.rendererDir, req, res, port);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxBridgeMessageBytes });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ok = url.pathname === BRIDGE_PATHS.socket
      && allowedHosts().has(req.headers.host ?? '')
      && allowedOrigins().has(req.headers.origin ?? '')
      && sameToken(url.searchParams.get('token') ?? '', token);
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    const running = new Map<number, AbortController>();
    const send = (msg: BridgeServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const stopEvents = options.dispatcher.onEvent((name, payload) => send({ type: 'event', name, payload }));
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? null : parseClientMessage(data.toString());
      if (!msg) {
        ws.close(1003, 'bad message');
        return;
      }
      if (msg.type === 'cancel') {
        running.get(msg.id)?.abort();
        return;
      }
      const controller = new AbortController();
      running.set(msg.id, controller);
      void options.dispatcher.call(msg.name, msg.input, controller.signal).then((envelope) => {
        running.delete(msg.id);
        send({ type: 'result', id: msg.id, envelope });
      });
    });
    ws.on('close', () => {
      stopEvents();
      for (const c of running.values()) c.abort();
      running.clear();
      sockets.delete(ws);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseClientMessage(text: string): BridgeClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v['id'] !== 'number' || !Number.isSafeInteger(v['id'])) return null;
  if (v['type'] === 'cancel') return { type: 'cancel', id: v['id'] };
  if (v['type'] === 'call' && typeof v['name'] === 'string') return { type: 'call', id: v['id'], name: v['name'], input: v['input'] };
  return null;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function deny(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

// img-src allows http(s) only because the mail frame (an srcdoc iframe)
// inherits this policy: the gate for remote images is that frame's own CSP
// (img-src data: until the person allows remote content), and the app's own
// UI loads no remote images.
const PAGE_CSP = (port: number) => [
  "default-src 'self'", `connect-src ws://127.0.0.1:${port} ws://localhost:${port}`, "img-src 'self' data: blob: https: http:",
  "style-src 'self' 'unsafe-inline'", "frame-src 'self' about:", "object-src 'none'", "base-uri 'none'", "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed');
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  const base = resolve(root);
  const rel = normalize(pathname === '/' ? 'index.html' : pathname.slice(1));
  const file = resolve(base, rel);
  if (rel.startsWith('..') || !file.startsWith(base + sep)) return deny(res, 404, 'Not found');
  try {
    const info = await stat(file);
    if (!info.isFile()) return deny(res, 404, 'Not found');
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': PAGE_CSP(port),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    deny(res, 404, 'Not found');
  }
}
