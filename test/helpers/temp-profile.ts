/**
 * A throw-away folder for a CLI test: the profile the CLI is pointed at,
 * and the test servers' CA written beside it for `account add --ca`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function tempProfile(prefix: string, caPem: string): Promise<{ profile: string; caFile: string }> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, caPem);
  return { profile: join(work, 'profile'), caFile };
}
