// What the Outbox says about a message that was not sent: the server's words,
// and, when the account is at fault rather than the message, what to fix.
import { describe, expect, it } from 'vitest';
import { outboxStateText } from '../../../../renderer/components/OutboxView.tsx';
import type { OutboxItem } from '../../../../src-protocol/contract/index.ts';

const failed = (last_error: string, last_error_code: OutboxItem['last_error_code']): OutboxItem => ({
  id: 1, account_id: 'a', message_id: '<m@x>', subject: 'S', to: ['b@example.test'], state: 'failed',
  send_at_iso: '2026-11-22T10:00:00.000Z', attempts: 1, last_error, last_error_code, accepted: [], rejected: [], sent_copy: false,
});

describe('Outbox state text', () => {
  it('asks to fix the account after a refused sign-in', () => {
    expect(outboxStateText(failed('The server refused the user name or password: 535 5.7.8 Error.', 'AUTH_FAILED')))
      .toBe("Not sent: The server refused the user name or password: 535 5.7.8 Error. Check the account's password or sign in again, then Retry.");
  });

  it('says only the server\'s words for a refused message', () => {
    expect(outboxStateText(failed('smtp.example.test refused the message: 552 too big', 'SEND_REJECTED')))
      .toBe('Not sent: smtp.example.test refused the message: 552 too big.');
  });
});
