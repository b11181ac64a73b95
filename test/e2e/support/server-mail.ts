// Reading what arrived on the server with the test's own IMAP client: a
// message by subject, with its raw source, flags and MIME structure.
import type { MessageStructureObject } from 'imapflow';
import type { TestServers, TestUser } from '../../servers/harness.ts';
import { openImap } from '../../servers/mail-tools.ts';

export interface ServerMessage {
  uid: number;
  source: string;
  flags: Set<string>;
  structure: MessageStructureObject | undefined;
}

/** The messages in `folder` whose subject is exactly `subject` (empty when none). */
export async function findBySubject(servers: TestServers, user: TestUser, folder: string, subject: string): Promise<ServerMessage[]> {
  const imap = await openImap(servers, user);
  try {
    const lock = await imap.getMailboxLock(folder);
    try {
      const out: ServerMessage[] = [];
      if (typeof imap.mailbox === 'object' && imap.mailbox.exists === 0) return out;
      for await (const m of imap.fetch('1:*', { uid: true, envelope: true, flags: true, source: true, bodyStructure: true })) {
        if (m.envelope?.subject !== subject) continue;
        out.push({ uid: m.uid, source: m.source?.toString('utf8') ?? '', flags: m.flags ?? new Set(), structure: m.bodyStructure });
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout();
  }
}

/** Every content type in a structure, depth first ("multipart/mixed", "text/plain", …). */
export function contentTypes(node: MessageStructureObject | undefined): string[] {
  if (!node) return [];
  return [node.type.toLowerCase(), ...(node.childNodes ?? []).flatMap(contentTypes)];
}

/** Quoted-printable soft line breaks and `=3D` undone, enough to look for ASCII text in a source. */
export function unfoldQp(source: string): string {
  return source.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
}
