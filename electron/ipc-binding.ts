/**
 * Binds the IPC contract to Electron's ipcMain: one `handle` per contract
 * call, a cancel channel, and contract events forwarded to the window.
 *
 * Every message is checked before anything else: it must come from a live
 * top frame whose page is the app's own origin. A refused call answers
 * FORBIDDEN and never reaches the dispatcher. Input is forwarded untouched;
 * the dispatcher validates it against the contract's schemas.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import { CALL_NAMES } from '../src-protocol/contract/contract.ts';
import type { Envelope } from '../src-protocol/contract/envelope.ts';
import { IPC_CHANNELS } from '../src-protocol/contract/preload-api.ts';
import { toErrorPayload } from '../src-protocol/common/errors.ts';
import type { ErrorCode } from '../src-protocol/common/error-codes.ts';
import type { Dispatcher } from '../src-protocol/service/dispatcher-types.ts';

/** Decides whether a frame (already known to be a live top frame) is ours. */
export type SenderCheck = (frame: WebFrameMain) => boolean;

/** Where events go: the main window's contents, or null while there is none. */
export type EventTargetProvider = () => Pick<WebContents, 'send' | 'isDestroyed' | 'mainFrame'> | null;

type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;
type SenderEvent = Pick<IpcMainInvokeEvent | IpcMainEvent, 'senderFrame' | 'sender'>;

function failure(code: ErrorCode, message: string): Envelope<unknown> {
  return { ok: false, error: { code, message } };
}

function trusted(event: SenderEvent, isTrustedSender: SenderCheck): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false;
  return isTrustedSender(frame);
}

/** Calls are keyed per sending web contents, so one page cannot cancel another's calls. */
function callKey(event: SenderEvent, id: number): string {
  return `${event.sender.id}:${id}`;
}

function isCallId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

/**
 * Registers the handlers; returns the function that removes every handler
 * and listener added here and aborts calls still running.
 */
export function bindContract(
  ipcMain: IpcMainLike,
  dispatcher: Dispatcher,
  isTrustedSender: SenderCheck,
  eventTarget: EventTargetProvider = () => null,
): () => void {
  const running = new Map<string, AbortController>();

  for (const name of CALL_NAMES) {
    ipcMain.handle(name, async (event: IpcMainInvokeEvent, id: unknown, input: unknown): Promise<Envelope<unknown>> => {
      if (!trusted(event, isTrustedSender)) {
        return failure('FORBIDDEN', 'This page may not talk to the mail engine.');
      }
      if (!isCallId(id)) return failure('BAD_INPUT', 'The call id must be a non-negative integer.');
      const key = callKey(event, id);
      if (running.has(key)) return failure('BAD_INPUT', `A call with id ${id} is already running.`);
      const controller = new AbortController();
      running.set(key, controller);
      try {
        return await dispatcher.call(name, input, controller.signal);
      } catch (err) {
        // The dispatcher promises never to throw; if it does, the page still gets an envelope.
        return { ok: false, error: toErrorPayload(err) };
      } finally {
        if (running.get(key) === controller) running.delete(key);
      }
    });
  }

  const onCancel = (event: IpcMainEvent, id: unknown): void => {
    if (!trusted(event, isTrustedSender) || !isCallId(id)) return;
    running.get(callKey(event, id))?.abort();
  };
  ipcMain.on(IPC_CHANNELS.cancel, onCancel);

  const stopEvents = dispatcher.onEvent((name, payload) => {
    const target = eventTarget();
    if (target === null || target.isDestroyed()) return;
    // Mail data goes only to our own page, never to whatever else got loaded.
    const frame = target.mainFrame;
    if (frame === null || frame === undefined || !isTrustedSender(frame)) return;
    target.send(IPC_CHANNELS.event, name, payload);
  });

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    for (const name of CALL_NAMES) ipcMain.removeHandler(name);
    ipcMain.removeListener(IPC_CHANNELS.cancel, onCancel);
    stopEvents();
    for (const controller of running.values()) controller.abort();
    running.clear();
  };
}
