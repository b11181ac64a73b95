/**
 * What the composer starts with for a reply, a reply to all, or a forward:
 * recipients (Reply-To honoured, the person's own addresses left out, none
 * twice), the subject prefix, and the quoted original.
 */
import type { ParsedMessage, ModelAddress } from '../mime/parse.ts';
import { htmlToIndexText } from '../sync/body-index.ts';

export interface ComposePrefill {
  from: string;
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

/** The identity a reply goes out from: the one the original was addressed to, else the first. */
export function replyIdentity<T extends { address: string }>(original: ParsedMessage, identities: T[]): T | undefined {
  const addressed = new Set([...original.to, ...original.cc].map((a) => a.address.toLowerCase()));
  return identities.find((i) => addressed.has(i.address.toLowerCase())) ?? identities[0];
}

function withSignature(text: string, signature: string): string {
  return signature.trim() ? `\n\n-- \n${signature.trim()}${text}` : text;
}

export function replyPrefill(original: ParsedMessage, identities: { address: string; signature: string }[], all: boolean): ComposePrefill {
  const own = new Set(identities.map((i) => i.address.toLowerCase()));
  const identity = replyIdentity(original, identities);
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
  return {
    from: identity?.address ?? '', to: to.map(formatted), cc: cc.map(formatted), bcc: [], subject: withPrefix('Re', original.subject),
    text: withSignature(`\n\n${attribution}\n${quoted}\n`, identity?.signature ?? ''),
  };
}

export function forwardPrefill(original: ParsedMessage, asAttachment: boolean, identity: { address: string; signature: string }): ComposePrefill {
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
    from: identity.address, to: [], cc: [], bcc: [], subject: withPrefix('Fwd', original.subject),
    text: withSignature(asAttachment ? '\n' : `\n\n${header}\n\n${bodyText(original)}\n`, identity.signature),
  };
}
