// The engine process killed in the middle of a sync (SIGKILL: no cleanup, no
// last write) and started again: the store is consistent, nothing is lost or
// listed twice, and the next sync finishes the job. Once during the header
// download and once during the background body download, each at whatever
// point the kill lands after the first batch was reported.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { CLI, cliJson } from '../../helpers/run-cli.ts';
import type { MessageSummary } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
const COUNT = 3000;
let me: TestUser;
let work: string;

function message(i: number): string {
  return [
    `From: "Sender ${i % 13}" <s${i % 13}@example.test>`, `To: ${me.email}`, `Subject: Killed ${String(i).padStart(4, '0')}`,
    `Date: ${new Date(Date.UTC(2025, 0, 1) + i * 60_000).toUTCString()}`, `Message-ID: <killed-${i}@example.test>`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', '',
    `Body ${i} with the word marmalade${i} and some text to make it longer.`.repeat(20), '',
  ].join('\r\n');
}

/** Runs `postern ARGS` and SIGKILLs it as soon as stderr shows a line matching `when`; resolves with that line. */
function killWhen(args: string[], when: RegExp, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let seen = '';
    let hit: string | null = null;
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => when.test(l));
      if (line && hit === null) {
        hit = line;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (hit !== null && signal === 'SIGKILL') resolve(hit);
      else reject(new Error(`postern ${args.join(' ')} ended (${code ?? signal}) before ${when}:\n${seen}`));
    });
  });
}

async function profileWithAccount(name: string): Promise<{ profile: string; cli: <T>(args: string[]) => Promise<T>; env: Record<string, string> }> {
  const profile = join(work, name);
  const env = { KS_PW: me.password };
  const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env });
  const caFile = join(work, 'ca.pem');
  await cli(['account', 'add', '--name', 'Killed', '--email', me.email, '--user', me.user, '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submission}`, '--smtp-security', 'starttls', '--ca', caFile, '--password-env', 'KS_PW']);
  return { profile, cli, env };
}

function expectWhole(list: MessageSummary[]): void {
  expect(list.length).toBe(COUNT);
  expect(new Set(list.map((m) => m.id)).size).toBe(COUNT);
  const subjects = new Set(list.map((m) => m.subject));
  expect(subjects.size).toBe(COUNT);
  for (const i of [0, 1, 1499, 2998, 2999]) expect(subjects.has(`Killed ${String(i).padStart(4, '0')}`)).toBe(true);
  // Every tenth was seeded read; the flags came with the headers.
  expect(list.filter((m) => m.flags.includes('\\Seen')).length).toBe(COUNT / 10);
}

beforeAll(async () => {
  me = await createUser(servers, 'killed');
  work = await mkdtemp(join(tmpdir(), 'postern-killed-'));
  await writeFile(join(work, 'ca.pem'), servers.caPem);
  await seedMaildir(servers, me.user, 'INBOX', Array.from({ length: COUNT }, (_, i) => ({ raw: message(i), flags: i % 10 === 0 ? ['\\Seen' as const] : [] })));
}, 120_000);

describe('the engine killed during a sync', () => {
  it('during the header download: the next sync completes it, nothing missing or twice', async () => {
    const { profile, cli, env } = await profileWithAccount('headers');
    const line = await killWhen(['sync', '--profile', profile], /^sync INBOX: headers \d+\/3000$/, env);
    expect(line).toMatch(/headers/);
    // What the killed run committed is readable and consistent on its own.
    const partial = await cli<MessageSummary[]>(['list', '--limit', '5000']);
    expect(partial.length).toBeLessThanOrEqual(COUNT);
    expect(new Set(partial.map((m) => m.subject)).size).toBe(partial.length);
    await cli(['sync']);
    expectWhole(await cli<MessageSummary[]>(['list', '--limit', '5000']));
  });

  it('during the body download: bodies stored before the kill stay, the rest come with the next sync', async () => {
    const { profile, cli, env } = await profileWithAccount('bodies');
    await cli(['sync']);
    await killWhen(['sync', '--bodies', '--profile', profile], /^sync INBOX: bodies [1-9]\d*\/3000$/, env);
    const result = await cli<{ bodies_downloaded: number }>(['sync', '--bodies']);
    expect(result.bodies_downloaded).toBeGreaterThan(0);
    expect(result.bodies_downloaded).toBeLessThan(COUNT);
    expectWhole(await cli<MessageSummary[]>(['list', '--limit', '5000']));
    // Every body is searchable, each exactly once: the ones from before the kill and the ones after.
    for (const i of [0, 1500, 2999]) {
      const hits = await cli<MessageSummary[]>(['search', `marmalade${i}`]);
      expect(hits.map((m) => m.subject)).toEqual([`Killed ${String(i).padStart(4, '0')}`]);
    }
    expect((await cli<{ bodies_downloaded: number }>(['sync', '--bodies'])).bodies_downloaded).toBe(0);
  });
});
