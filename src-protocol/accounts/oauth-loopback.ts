/**
 * The loopback redirect of RFC 8252 (section 7.3): an HTTP listener on
 * 127.0.0.1 and a port the OS picks, waiting for the browser to come back to
 * /callback with the authorization code. The `state` must match (section
 * 8.9); a request with another state is answered 400 and ignored, so a page
 * that guesses the port cannot end or hijack the flow. The listener and its
 * timer belong to the receiver: both are gone once it settles or is closed.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PosternError } from '../common/errors.ts';

export const CALLBACK_PATH = '/callback';

export interface LoopbackReceiver {
  /** http://127.0.0.1:PORT/callback */
  redirectUri: string;
  /** The authorization code, once the browser brings it. */
  code: Promise<string>;
  /** Stops listening; a pending `code` rejects with CANCELLED. Idempotent. */
  close(): Promise<void>;
}

export async function startLoopbackReceiver(expectedState: string, timeoutMs: number, providerLabel: string): Promise<LoopbackReceiver> {
  let settle: { resolve: (code: string) => void; reject: (err: Error) => void } | undefined;
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Nobody may be awaiting yet; the rejection is still seen by whoever awaits later.
  code.catch(() => undefined);
  let done = false;

  const finish = (outcome: { code: string } | { error: Error }): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if ('code' in outcome) settle?.resolve(outcome.code);
    else settle?.reject(outcome.error);
    // Let the answer page reach the browser, then stop listening.
    server.close();
    server.closeIdleConnections();
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found.');
    const q = url.searchParams;
    if (done || q.get('state') !== expectedState) {
      return page(res, 400, 'This sign-in link is not the one Postern is waiting for. Start the sign-in again from Postern.');
    }
    res.setHeader('connection', 'close');
    const error = q.get('error');
    if (error !== null) {
      const description = q.get('error_description');
      page(res, 200, `${providerLabel} did not sign you in (${error}). You can close this window and try again in Postern.`);
      return finish({
        error: new PosternError(error === 'access_denied' ? 'CANCELLED' : 'AUTH_FAILED',
          `${providerLabel} did not sign you in: ${error}${description ? ` (${description.slice(0, 300)})` : ''}.`, { serverText: error }),
      });
    }
    const received = q.get('code');
    if (!received) return page(res, 400, 'The sign-in answer has no authorization code.');
    page(res, 200, `Signed in with ${providerLabel}. You can close this window and return to Postern.`);
    finish({ code: received });
  });

  // Declared before any request can arrive (they come only once listening); finish() clears it.
  const timer = setTimeout(() => finish({
    error: new PosternError('TIMEOUT', `The sign-in with ${providerLabel} was not completed within ${Math.max(1, Math.round(timeoutMs / 60_000))} minutes; start it again.`),
  }), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearTimeout(timer);
    throw new PosternError('INTERNAL', `Postern could not listen on 127.0.0.1 for the sign-in: ${(err as Error).message}`, { cause: err });
  }
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    code,
    close: async () => {
      finish({ error: new PosternError('CANCELLED', 'The sign-in was cancelled.') });
      server.closeAllConnections();
    },
  };
}

function page(res: ServerResponse, status: number, text: string): void {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><meta charset="utf-8"><title>Postern</title><p>${escaped}</p>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'",
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}
