// The web bridge (`postern serve`) through a real WebSocket: only a page of
// its own origin holding the run's token may talk to the engine.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebBridge, type WebBridge } from '../../src-protocol/cli/web-bridge.ts';
import { startEngine } from '../../src-protocol/service/engine-host.ts';
import { EnvCredentialStore } from '../../src-protocol/accounts/credentials.ts';
import type { Dispatcher } from '../../src-protocol/service/dispatcher-types.ts';
import type { BridgeServerMessage } from '../../src-protocol/contract/envelope.ts';

let bridge: WebBridge;
let dispatcher: Dispatcher;
let token: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-bridge-'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Postern</title>');
  await writeFile(join(dir, 'secret.txt'), 'outside the renderer');
  // The real engine, in its worker thread.
  dispatcher = await startEngine({ profileDir: join(dir, 'profile'), credentials: new EnvCredentialStore({}) });
  bridge = await startWebBridge({ dispatcher, rendererDir });
  token = new URL(bridge.url).hash.replace('#token=', '');
});

afterAll(async () => {
  await bridge?.close();
  await dispatcher?.close();
});

function connect(opts: { token?: string; origin?: string; host?: string }): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ipc?token=${opts.token ?? token}`, {
    origin: opts.origin ?? `http://127.0.0.1:${bridge.port}`,
    ...(opts.host ? { headers: { host: opts.host } } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(ws: WebSocket, id: number, name: string, input: unknown): Promise<BridgeServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as BridgeServerMessage;
      if (msg.type === 'result' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'call', id, name, input }));
  });
}

describe('web bridge', () => {
  it('listens on 127.0.0.1 only and puts the token in the URL fragment', () => {
    const url = new URL(bridge.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.search).toBe('');
    expect(token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers contract calls from its own page with the token', async () => {
    const ws = await connect({});
    const answer = await call(ws, 1, 'mail:accounts.list', {});
    expect(answer).toEqual({ type: 'result', id: 1, envelope: { ok: true, value: [] } });
    ws.close();
  });

  it('validates input and refuses unknown names with a code', async () => {
    const ws = await connect({});
    const bad = await call(ws, 2, 'mail:messages.get', { id: 'x' });
    expect(bad).toMatchObject({ envelope: { ok: false, error: { code: 'BAD_INPUT' } } });
    const unknown = await call(ws, 3, 'shell:exec', { cmd: 'id' });
    expect(unknown).toMatchObject({ envelope: { ok: false, error: { code: 'BAD_INPUT' } } });
    ws.close();
  });

  it('refuses a wrong token, another origin, and another Host (DNS rebinding)', async () => {
    await expect(connect({ token: 'x'.repeat(32) })).rejects.toThrow(/403/);
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect({ host: `evil.example:${bridge.port}` })).rejects.toThrow(/403/);
  });

  it('serves the renderer with a CSP and nothing outside its folder', async () => {
    const page = await fetch(`http://127.0.0.1:${bridge.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const escape = await fetch(`http://127.0.0.1:${bridge.port}/..%2fsecret.txt`);
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('outside the renderer');
  });
});
