/** Human-readable output of the CLI (--json prints the contract's values). */
import type { Folder, MessageModel, MessageSummary, MimeNode } from '../contract/schemas.ts';

const who = (list: { name: string; address: string }[]) => list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');

export function formatFolders(folders: Folder[]): string {
  return folders.map((f) => `${f.path}${f.special_use ? ` (${f.special_use})` : ''}\t${f.unread}/${f.total}`).join('\n');
}

export function formatList(messages: MessageSummary[]): string {
  if (messages.length === 0) return 'No messages.';
  return messages.map((m) => {
    const mark = `${m.flags.includes('\\Seen') ? ' ' : '*'}${m.flags.includes('\\Flagged') ? '!' : ' '}${m.has_attachments ? '@' : ' '}`;
    const date = m.date_iso ? new Date(m.date_iso).toLocaleString() : '';
    return `${String(m.id).padStart(6)} ${mark} ${date.padEnd(22)} ${who(m.from).slice(0, 30).padEnd(30)} ${m.subject}`;
  }).join('\n');
}

export function formatMessage(m: MessageModel): string {
  const lines = [
    `Subject: ${m.subject}`, `From: ${who(m.from)}`, `To: ${who(m.to)}`,
    ...(m.cc.length ? [`Cc: ${who(m.cc)}`] : []),
    `Date: ${m.date_iso ? new Date(m.date_iso).toLocaleString() : '(none)'}`, '',
    m.text ?? (m.html_present ? '(HTML only; open it in the app)' : '(no text)'),
  ];
  for (const [i, a] of m.attachments.entries()) lines.push(`[${i}] ${a.save_as} (${a.content_type}, ${a.size} bytes)`);
  return lines.join('\n');
}

export function formatTree(node: MimeNode, depth = 0): string {
  const label = [node.part_number || '(top)', node.content_type, node.disposition, node.filename, node.encoding, `${node.size} bytes`]
    .filter((x) => x !== null && x !== '').join('  ');
  const lines = ['  '.repeat(depth) + label, ...node.children.map((c) => formatTree(c, depth + 1))];
  for (const note of node.notes ?? []) lines.push(`note: ${note}`);
  return lines.join('\n');
}
