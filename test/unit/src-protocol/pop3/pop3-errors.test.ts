import { describe, expect, it } from 'vitest';
import { errorFromResponse } from '../../../../src-protocol/pop3/pop3-errors.ts';
import { parseStatusLine } from '../../../../src-protocol/pop3/pop3-response.ts';

const err = (line: string) => ({ ...parseStatusLine(Buffer.from(line, 'latin1')), body: undefined });
const server = 'The POP3 server mail.test:995';

describe('errorFromResponse', () => {
  it('says a locked maildrop is locked and will be retried', () => {
    const e = errorFromResponse(err('-ERR [IN-USE] Mailbox is locked by another POP3 session'), server, { kind: 'auth' });
    expect(e.code).toBe('SERVER_REFUSED');
    expect(e.responseCode).toBe('IN-USE');
    expect(e.temporary).toBe(true);
    expect(e.message).toMatch(/locked/);
    expect(e.message).toMatch(/try again later/);
    expect(e.message).toContain('Mailbox is locked by another POP3 session');
  });

  it('maps [AUTH] and a plain refusal while signing in to AUTH_FAILED with the server text', () => {
    for (const line of ['-ERR [AUTH] Authentication failed.', '-ERR Authentication failed.']) {
      const e = errorFromResponse(err(line), server, { kind: 'auth' });
      expect(e.code).toBe('AUTH_FAILED');
      expect(e.serverText).toBe('Authentication failed.');
      expect(e.temporary).toBe(false);
    }
  });

  it('tells temporary from permanent server trouble', () => {
    expect(errorFromResponse(err('-ERR [SYS/TEMP] disk'), server, { kind: 'auth' })).toMatchObject({ code: 'SERVER_REFUSED', temporary: true });
    expect(errorFromResponse(err('-ERR [SYS/PERM] broken'), server, { kind: 'auth' })).toMatchObject({ code: 'SERVER_REFUSED', temporary: false });
    expect(errorFromResponse(err('-ERR [LOGIN-DELAY] wait'), server, { kind: 'auth' })).toMatchObject({ code: 'SERVER_REFUSED', temporary: true });
  });

  it('names the refused command', () => {
    const e = errorFromResponse(err('-ERR There is no message 7.'), server, { kind: 'command', what: 'message 7 (RETR)' });
    expect(e.code).toBe('SERVER_REFUSED');
    expect(e.message).toBe('The POP3 server mail.test:995 refused message 7 (RETR). The server said: "There is no message 7."');
  });

  it('scrubs a secret the server echoes', () => {
    const e = errorFromResponse(err('-ERR bad password hunter22 for alice'), server, { kind: 'auth' }, ['hunter22']);
    expect(e.message).not.toContain('hunter22');
    expect(e.serverText).not.toContain('hunter22');
  });
});
