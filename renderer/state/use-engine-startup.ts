/**
 * The engine's start, for the status bar: while it upgrades the mail
 * database (a new version's schema; a step can take a while on a big
 * mailbox) the window says so instead of seeming to hang. Listens first and
 * then asks, so a step reported in between is not missed; the answer comes
 * at once, even while every other call still waits for the engine.
 */
import { useEffect, useState } from 'react';
import type { EngineStartup } from '../../src-protocol/contract/index.ts';
import { useClient } from './client-context.tsx';

export function useEngineStartup(): EngineStartup | null {
  const client = useClient();
  const [startup, setStartup] = useState<EngineStartup | null>(null);
  useEffect(() => {
    let heard = false;
    let live = true;
    const off = client.on('app:startup', (s) => {
      heard = true;
      setStartup(s);
    });
    client.call('app:startup.get', {}).then(
      (s) => {
        // An event is newer than the answer to a question asked before it.
        if (live && !heard) setStartup(s);
      },
      () => {
        // An engine too old or gone to answer: nothing to show here; other calls report the problem.
      },
    );
    return () => {
      live = false;
      off();
    };
  }, [client]);
  return startup;
}
