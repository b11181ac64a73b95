/**
 * Outcomes of persisted actions (mail:task). A task the server refused
 * arrives as state 'failed' with the server's words in last_error.
 */
import { useEffect, useRef } from 'react';
import type { TaskInfo } from '../../src-protocol/contract/index.ts';
import { useClient } from './client-context.tsx';

export function useTaskFailures(onFailed: (task: TaskInfo) => void): void {
  const client = useClient();
  const cb = useRef(onFailed);
  cb.current = onFailed;
  useEffect(
    () =>
      client.on('mail:task', (task) => {
        if (task.state === 'failed') cb.current(task);
      }),
    [client],
  );
}
