/**
 * The web bridge transport (`postern serve`): the page comes from
 * http://127.0.0.1:PORT/ with the per-run token in the URL fragment
 * (#token=…, never sent to the server with the page request). Calls and
 * events travel as JSON over ws://same-host/ipc?token=….
 *
 * The socket opens on first use and again after it drops; calls that were in
 * flight when it dropped fail (the engine may or may not have done them, and
 * only the caller knows whether a retry is safe).
 */
import {
  BRIDGE_PATHS,
  type BridgeClientMessage,
  type Envelope,
  type PreloadApi,
} from '../../src-protocol/contract/index.ts';

type Pending = { resolve: (envelope: Envelope<unknown>) => void };

const failure = (code: 'CONNECT_FAILED' | 'FORBIDDEN', message: string): Envelope<unknown> => ({
  ok: false,
  error: { code, message },
});

export function tokenFromLocation(loc: Location): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && token.length > 0 ? token : null;
}

export function websocketTransport(loc: Location = window.location): PreloadApi {
  const token = tokenFromLocation(loc);
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${loc.host}${BRIDGE_PATHS.socket}?token=${encodeURIComponent(token ?? '')}`;

  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  // While someone listens for events, a dropped socket is reopened with
  // backoff; calls reopen it on their own.
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let reconnectDelay = 1000;

  function scheduleReconnect(): void {
    if (reconnectTimer !== null || listeners.size === 0 || !token) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect().then(
        () => { reconnectDelay = 1000; },
        () => {
          reconnectDelay = Math.min(reconnectDelay * 2, 30_000);
          scheduleReconnect();
        },
      );
    }, reconnectDelay);
  }

  function failAll(message: string): void {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.resolve(failure('CONNECT_FAILED', message));
    }
  }

  function onMessage(ev: MessageEvent): void {
    if (typeof ev.data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return; // Not ours to interpret; the client validates what it does accept.
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { type?: unknown; id?: unknown; envelope?: unknown; name?: unknown; payload?: unknown };
    if (m.type === 'result' && typeof m.id === 'number') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      // The envelope's shape is checked by the client, which trusts no transport.
      p.resolve(m.envelope as Envelope<unknown>);
    } else if (m.type === 'event' && typeof m.name === 'string') {
      for (const l of listeners.get(m.name) ?? []) l(m.payload);
    }
  }

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      socket = ws;
      ws.addEventListener('open', () => resolve(ws), { once: true });
      ws.addEventListener('message', onMessage);
      ws.addEventListener('close', () => {
        // A socket that never opened rejects its waiters; one that did fails
        // the calls still in flight. Either way the next call reconnects.
        reject(new Error('closed'));
        if (socket === ws) {
          socket = null;
          opened = null;
        }
        failAll('The connection to the Postern engine was lost.');
        scheduleReconnect();
      });
    });
    opened.catch(() => undefined);
    return opened;
  }

  function send(message: BridgeClientMessage): void {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  // Events only arrive over an open socket, so the first subscriber opens it.
  function ensureOpenForEvents(): void {
    if (listeners.size > 0) void connect().catch(() => undefined);
  }

  return {
    async call(id, name, input) {
      if (!token) return failure('FORBIDDEN', 'This page was opened without its access token. Open the address that `postern serve` printed.');
      let ws: WebSocket;
      try {
        ws = await connect();
      } catch {
        return failure('CONNECT_FAILED', 'Could not connect to the Postern engine. Is `postern serve` still running?');
      }
      return new Promise<Envelope<unknown>>((resolve) => {
        pending.set(id, { resolve });
        ws.send(JSON.stringify({ type: 'call', id, name, input } satisfies BridgeClientMessage));
      });
    },
    cancel(id) {
      send({ type: 'cancel', id });
    },
    subscribe(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      ensureOpenForEvents();
      return () => {
        const s = listeners.get(name);
        s?.delete(listener);
        if (s && s.size === 0) listeners.delete(name);
        if (listeners.size === 0 && reconnectTimer !== null) {
          clearTimeout(reconnectTimer);
          reconnectTimer = null;
        }
      };
    },
  };
}
