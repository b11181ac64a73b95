/** Contract calls for the benchmark: a failed envelope becomes a thrown error. */
import type { Dispatcher } from '../../../src-protocol/service/dispatcher-types.ts';
import type { AccountAddInput } from '../../../src-protocol/contract/schemas.ts';

export async function call<T>(dispatcher: Dispatcher, name: string, input: unknown): Promise<T> {
  const envelope = await dispatcher.call(name, input);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

export interface BenchAccount {
  host: string;
  imapsPort: number;
  submissionsPort: number;
  caPem: string;
  user: string;
  email: string;
  password: string;
}

/** Adds the benchmark's IMAP account (implicit TLS, the test CA); returns its id. */
export async function addAccount(dispatcher: Dispatcher, a: BenchAccount): Promise<string> {
  const input: AccountAddInput = {
    name: 'Bench',
    email: a.email,
    user: a.user,
    password: a.password,
    imap: { host: a.host, port: a.imapsPort, security: 'tls' },
    smtp: { host: a.host, port: a.submissionsPort, security: 'tls' },
    ca_pem: a.caPem,
  };
  return (await call<{ id: string }>(dispatcher, 'mail:accounts.add', input)).id;
}
