/**
 * What the composer starts with for a reply, a reply to all, or a forward:
 * recipients (Reply-To honoured, the person's own addresses left out, none
 * twice), the subject prefix, and the quoted original.
 */
import type { ParsedMessage, ModelAddress } from '../mime/parse.ts';
import { htmlToIndexText } from '../sync/body-index.ts';

export interface ComposePrefill {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
}

const formatted = (a: ModelAddress) => (a.name ? `${quoteName(a.name)} <${a.address}>` : a.address);

function quoteName(name: string): string {
  return /[",.;:<>@()[\]\\]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
}

function withPrefix(prefix: 'Re' | 'Fwd', subject: string): string {
  const re = prefix === 'Re' ? /^\s*re\s*:/i : /^\s*(fwd?|fw)\s*:/i;
  return re.test(subject) ? subject : `${prefix}: ${subject}`;
}

function bodyText(m: ParsedMessage): string {
  return (m.text ?? (m.html_rendered ? htmlToIndexText(m.html_rendered) : '')).replace(/\r\n/g, '\n').replace(/\n+$/, '');
}

function when(m: ParsedMessage): string {
  if (!m.date_iso) return '';
  const d = new Date(m.date_iso);
  return `On ${d.toUTCString().replace(' GMT', ' UTC')}, `;
}

export function replyPrefill(original: ParsedMessage, ownAddresses: string[], all: boolean): ComposePrefill {
  const own = new Set(ownAddresses.map((a) => a.toLowerCase()));
  const seen = new Set<string>();
  const take = (list: ModelAddress[]) => list.filter((a) => {
    const key = a.address.toLowerCase();
    if (!a.address || own.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const primary = original.reply_to.length ? original.reply_to : original.from;
  let to = take(primary);
  // Replying to one's own message: answer its recipients instead.
  if (to.length === 0 && primary.every((a) => own.has(a.address.toLowerCase()))) to = take(original.to);
  const cc = all ? take([...original.to, ...original.cc]) : [];
  const sender = original.from[0];
  const attribution = `${when(original)}${sender ? formatted(sender) : 'someone'} wrote:`;
  const quoted = bodyText(original).split('\n').map((l) => (l.startsWith('>') ? `>${l}` : `> ${l}`)).join('\n');
  return { to: to.map(formatted), cc: cc.map(formatted), bcc: [], subject: withPrefix('Re', original.subject), text: `\n\n${attribution}\n${quoted}\n` };
}

export function forwardPrefill(original: ParsedMessage, asAttachment: boolean): ComposePrefill {
  const list = (xs: ModelAddress[]) => xs.map(formatted).join(', ');
  const header = [
    '---------- Forwarded message ----------',
    `From: ${list(original.from)}`,
    ...(original.date_iso ? [`Date: ${new Date(original.date_iso).toUTCString()}`] : []),
    `Subject: ${original.subject}`,
    `To: ${list(original.to)}`,
    ...(original.cc.length ? [`Cc: ${list(original.cc)}`] : []),
  ].join('\n');
  return {
    to: [], cc: [], bcc: [], subject: withPrefix('Fwd', original.subject),
    text: asAttachment ? '\n' : `\n\n${header}\n\n${bodyText(original)}\n`,
  };
}
