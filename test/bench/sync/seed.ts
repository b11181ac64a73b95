/**
 * Puts the generated corpus into a user's INBOX by writing Maildir files
 * (seedMaildir), a chunk at a time so that only one chunk is in memory.
 * seedMaildir ends each chunk with `doveadm mailbox status`, which builds
 * Dovecot's index, so UIDs follow the corpus order (oldest first).
 */
import type { TestServers } from '../../servers/harness.ts';
import { seedMaildir, type SeedMessage, type SystemFlag } from '../../servers/maildir.ts';
import { generateCorpus, type CorpusOptions } from './corpus.ts';
import { progress } from './timing.ts';

export interface SeedStats {
  messages: number;
  bytes: number;
  withAttachments: number;
  ms: number;
}

const CHUNK = 1000;

export async function seedCorpus(servers: TestServers, user: string, options: CorpusOptions): Promise<SeedStats> {
  const t0 = performance.now();
  const stats: SeedStats = { messages: 0, bytes: 0, withAttachments: 0, ms: 0 };
  let chunk: SeedMessage[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    await seedMaildir(servers, user, 'INBOX', chunk);
    chunk = [];
    if (stats.messages % 5000 === 0 || stats.messages === options.count) progress(`seeded ${stats.messages} of ${options.count} messages (${(stats.bytes / 1e6).toFixed(0)} MB)`);
  };
  for (const m of generateCorpus(options)) {
    const flags: SystemFlag[] = [];
    if (m.seen) flags.push('\\Seen');
    if (m.flagged) flags.push('\\Flagged');
    chunk.push({ raw: m.raw, flags, date: m.date });
    stats.messages++;
    stats.bytes += m.raw.length;
    if (m.raw.includes('Content-Disposition: attachment')) stats.withAttachments++;
    if (chunk.length === CHUNK) await flush();
  }
  await flush();
  stats.ms = performance.now() - t0;
  return stats;
}
