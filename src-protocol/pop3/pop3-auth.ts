/**
 * Signing in (the AUTHORIZATION state): APOP (RFC 1939), SASL PLAIN and
 * XOAUTH2 with an initial response (RFC 5034), or USER/PASS. Exactly one
 * method is tried: after a refusal nothing else is attempted, so a wrong
 * password costs one failed login, not three. Credentials appear in no log
 * line and no error message.
 */
import { createHash } from 'node:crypto';
import { PosternError } from '../common/errors.ts';
import { saslMechanisms, type Pop3Capabilities } from './pop3-capabilities.ts';
import { errorFromResponse, scrubSecrets } from './pop3-errors.ts';
import type { Pop3Response } from './pop3-response.ts';
import type { Pop3Transport } from './pop3-transport.ts';

export type Pop3AuthMechanism = 'APOP' | 'PLAIN' | 'XOAUTH2' | 'USER';

export interface Pop3Credentials {
  user: string;
  password?: string | undefined;
  accessToken?: string | undefined;
  allowApop?: boolean | undefined;
  /** One method to use instead of choosing (for a server that advertises a method it then fails at). */
  method?: Pop3AuthMechanism | undefined;
}

export interface Pop3AuthContext {
  greeting: Pop3Response;
  /** CAPA's answer after TLS; undefined when the server has no CAPA. */
  capabilities: Pop3Capabilities | undefined;
  server: string;
  timeoutMs: number;
}

/** RFC 5034 section 4: an AUTH line with its initial response may be at most 255 octets. */
const MAX_AUTH_LINE = 255;

/** The APOP timestamp (an RFC 822 msg-id such as `<1896.697170952@dbc.mtview.ca.us>`) in a greeting. */
export function greetingTimestamp(greeting: Pop3Response): string | undefined {
  return /<[^<>\s]+@[^<>\s]+>/.exec(greeting.line.toString('latin1'))?.[0];
}

/** MD5 of the timestamp followed by the shared secret, lower-case hex (RFC 1939 section 7). */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash('md5')
    .update(Buffer.concat([Buffer.from(timestamp, 'latin1'), Buffer.from(secret, 'utf8')]))
    .digest('hex');
}

/** SASL PLAIN (RFC 4616) without an authorization identity: base64 of NUL user NUL password. */
export function plainInitialResponse(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}

/** Google's and Microsoft's XOAUTH2: base64 of "user=U^Aauth=Bearer T^A^A". */
export function xoauth2InitialResponse(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');
}

/**
 * The method to use: XOAUTH2 for a token; otherwise APOP when allowed and
 * the greeting offers it, then SASL PLAIN when CAPA lists it, then USER/PASS
 * (RFC 1939's baseline, tried even when CAPA does not list USER).
 */
export function chooseMechanism(credentials: Pop3Credentials, context: Pick<Pop3AuthContext, 'greeting' | 'capabilities' | 'server'>): Pop3AuthMechanism {
  if (credentials.method !== undefined) return checkedMethod(credentials, context);
  const mechanisms = saslMechanisms(context.capabilities);
  if (credentials.accessToken !== undefined) {
    if (!mechanisms.includes('XOAUTH2')) {
      throw new PosternError('AUTH_FAILED', `${context.server} does not offer OAuth2 sign-in (SASL XOAUTH2); use a password for this account.`);
    }
    return 'XOAUTH2';
  }
  if (credentials.allowApop && greetingTimestamp(context.greeting) !== undefined) return 'APOP';
  if (mechanisms.includes('PLAIN')) return 'PLAIN';
  return 'USER';
}

/** A method the settings insist on, if it can work at all with these credentials and this greeting. */
function checkedMethod(credentials: Pop3Credentials, context: Pick<Pop3AuthContext, 'greeting' | 'server'>): Pop3AuthMechanism {
  const method = credentials.method as Pop3AuthMechanism;
  if ((method === 'XOAUTH2') !== (credentials.accessToken !== undefined)) {
    throw new PosternError('BAD_INPUT', method === 'XOAUTH2' ? 'XOAUTH2 needs an OAuth2 access token.' : `${method} needs a password, not an OAuth2 token.`);
  }
  if (method === 'APOP' && greetingTimestamp(context.greeting) === undefined) {
    throw new PosternError('AUTH_FAILED', `${context.server} does not offer APOP (its greeting has no timestamp); choose another sign-in method.`);
  }
  return method;
}

/** Signs in; resolves with the method used, or throws AUTH_FAILED / SERVER_REFUSED with the server's words. */
export async function authenticate(t: Pop3Transport, credentials: Pop3Credentials, context: Pop3AuthContext): Promise<Pop3AuthMechanism> {
  const secret = credentials.accessToken ?? credentials.password;
  if (secret === undefined || secret === '') {
    throw new PosternError('CREDENTIAL_MISSING', `No password is available to sign in to ${context.server}.`);
  }
  const mechanism = chooseMechanism(credentials, context);
  const { user } = credentials;
  const send = (line: string, what: string, logAs?: string): Promise<Pop3Response> =>
    t.command(line, false, { timeoutMs: context.timeoutMs, what, ...(logAs === undefined ? {} : { logAs }) });
  const refuse = (response: Pop3Response, secrets: readonly string[]): never => {
    throw errorFromResponse(response, context.server, { kind: 'auth' }, secrets);
  };

  switch (mechanism) {
    case 'APOP': {
      const digest = apopDigest(greetingTimestamp(context.greeting) as string, secret);
      const r = await send(`APOP ${user} ${digest}`, 'APOP', `APOP ${user} ****`);
      if (r.status !== 'ok') refuse(r, [secret, digest]);
      break;
    }
    case 'USER': {
      const u = await send(`USER ${user}`, 'USER');
      if (u.status !== 'ok') refuse(u, [secret]);
      const p = await send(`PASS ${secret}`, 'PASS', 'PASS ****');
      if (p.status !== 'ok') refuse(p, [secret]);
      break;
    }
    case 'PLAIN':
    case 'XOAUTH2': {
      const initial = mechanism === 'PLAIN' ? plainInitialResponse(user, secret) : xoauth2InitialResponse(user, secret);
      await sasl(send, mechanism, initial, [secret, initial], refuse, context.server);
      break;
    }
  }
  return mechanism;
}

async function sasl(
  send: (line: string, what: string, logAs?: string) => Promise<Pop3Response>,
  mechanism: 'PLAIN' | 'XOAUTH2',
  initial: string,
  secrets: readonly string[],
  refuse: (response: Pop3Response, secrets: readonly string[]) => never,
  server: string,
): Promise<void> {
  const what = `AUTH ${mechanism}`;
  const line = `${what} ${initial}`;
  let r: Pop3Response;
  if (Buffer.byteLength(line) <= MAX_AUTH_LINE) {
    r = await send(line, what, `${what} ****`);
  } else {
    // Too long for an initial response: send it after the server's empty challenge.
    r = await send(what, what);
    if (r.status === 'continue') r = await send(initial, what, '****');
  }
  let oauthDetail = '';
  // PLAIN needs no more rounds, so a further challenge is cancelled with "*".
  // XOAUTH2 sends its error as a challenge and wants an empty reply before -ERR.
  for (let round = 0; r.status === 'continue' && round < 2; round++) {
    if (mechanism === 'XOAUTH2') oauthDetail = decodeChallenge(r.text);
    r = await send(mechanism === 'XOAUTH2' ? '' : '*', what);
  }
  if (r.status === 'continue') {
    throw new PosternError('PROTOCOL', `${server} kept asking for more during ${what}.`);
  }
  if (r.status === 'err') {
    if (oauthDetail) r = { ...r, text: `${r.text} (${scrubSecrets(oauthDetail, secrets)})` };
    refuse(r, secrets);
  }
}

/** An XOAUTH2 error challenge is base64 JSON ({"status":"401",...}); shown for diagnosis, shortened. */
function decodeChallenge(text: string): string {
  const decoded = Buffer.from(text, 'base64').toString('utf8').replace(/[^\x20-\x7e]/g, '');
  return decoded.slice(0, 200);
}
