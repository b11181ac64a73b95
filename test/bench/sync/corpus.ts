/**
 * A deterministic corpus of realistic mail for the sync/search benchmark:
 * real-looking headers (Received, DKIM, threads with In-Reply-To), plain
 * text, text+HTML alternatives, HTML-only newsletters, and messages with
 * attachments from a few KB to about a megabyte. 10,000 messages come to
 * about 230 MB, the size the issue's measurements used.
 *
 * The words the benchmark searches for are planted at known rates (see
 * MARKERS), so every search has a known, realistic number of hits.
 */
import { prng, type Random } from './random.ts';

/** What the search queries look for, and how often it occurs. */
export const MARKERS = {
  /** A common word: in about half the messages' text. */
  commonWord: 'project',
  /** An ordinary word: in about 5% of the messages' text. */
  word: 'invoice',
  /** A rare word: in exactly one message out of every 2,000. */
  rareWord: 'zanzibar',
  /** A phrase: in about 1% of the messages' text. */
  phrase: 'quarterly budget review',
  /** A sender's surname: about 2% of the mail is from her. */
  senderSurname: 'Kowalski',
  /** A subject word: in about 8% of the subjects. */
  subjectWord: 'report',
  /** The corpus spans these years, oldest first; a month in the middle is the date-range query. */
  firstDay: Date.UTC(2023, 0, 1),
  lastDay: Date.UTC(2025, 11, 31),
} as const;

export interface CorpusMessage {
  raw: Buffer;
  /** The Date header's instant (also used as INTERNALDATE). */
  date: Date;
  seen: boolean;
  flagged: boolean;
}

const COMMON = (
  'the of and to in is that for it as with was on be by this are at from or have an but not what all were when we there ' +
  'can more if will one about up out some time so would them make like into just over think also back after use two how ' +
  'our work first well way even new want because any these give day most us team please thanks week update next call ' +
  'plan review draft notes client meeting schedule budget customer contract release version deadline question answer ' +
  'issue support account design change data report server document attached share follow today tomorrow friday monday'
).split(' ');

const SYLLABLES = 'ka lo mi ne ru sa te vo bi da fe gu ho ji ku la ma no pe ri so tu va we xi yo ze'.split(' ');
const FIRST_NAMES = 'Anna Ben Carla David Elena Frank Grace Hugo Irene Jonas Klara Leo Mia Noah Olga Paul Rosa Sam Tara Uwe Vera Will'.split(' ');
const LAST_NAMES = 'Smith Müller García Rossi Novak Dubois Jansen Silva Nowak Lindqvist Horvat Popescu Byrne Costa Weber Moreau'.split(' ');
const NON_ASCII = ['Grüße', 'café', 'Straße', 'naïve', 'façade', 'Ångström', 'Привет', '日本語'];
const SUBJECTS = [
  'Meeting notes', 'Weekly status', 'Question about the contract', 'Draft for review', 'Lunch on Friday?',
  'Server maintenance window', 'New version released', 'Customer feedback', 'Travel plans', 'Team update',
  'Monthly report', 'Re: schedule', 'Invoice attached', 'Design proposal', 'Follow-up from our call',
];

/** A long tail of made-up words, so the index holds more than a few hundred terms. */
function makeTail(random: Random, count: number): string[] {
  const words = new Set<string>();
  while (words.size < count) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

interface Person {
  name: string;
  address: string;
}

function makePeople(random: Random): Person[] {
  const people: Person[] = [];
  for (let i = 0; i < 160; i++) {
    const first = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)] as string;
    const last = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)] as string;
    const domain = ['example.test', 'corp.example.test', 'mail.example.test', 'lists.example.test'][i % 4] as string;
    people.push({ name: `${first} ${last}`, address: `${first.toLowerCase()}.${i}@${domain}` });
  }
  return people;
}

const MARTA: Person = { name: `Marta ${MARKERS.senderSurname}`, address: 'marta.kowalski@example.test' };

const encodedWord = (text: string): string => `=?utf-8?B?${Buffer.from(text).toString('base64')}?=`;
const needsEncoding = (text: string): boolean => /[^\x20-\x7e]/.test(text);
const headerText = (text: string): string => (needsEncoding(text) ? encodedWord(text) : text);
const formatAddress = (p: Person): string => `${needsEncoding(p.name) ? encodedWord(p.name) : `"${p.name}"`} <${p.address}>`;

function qp(text: string): string {
  const encoded = Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[=\u0080-\u00ff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return encoded.split('\r\n').map(softBreaks).join('\r\n');
}

/** Soft line breaks keep every line under 76 characters, as real mailers do, never inside an =XX escape. */
function softBreaks(line: string): string {
  if (line.length <= 76) return line;
  const out: string[] = [];
  let rest = line;
  while (rest.length > 76) {
    let cut = 75;
    if (rest.charCodeAt(cut - 1) === 0x3d) cut -= 1;
    else if (rest.charCodeAt(cut - 2) === 0x3d) cut -= 2;
    out.push(`${rest.slice(0, cut)}=`);
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out.join('\r\n');
}

const base64Lines = (bytes: Buffer): string => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');

export interface CorpusOptions {
  count: number;
  seed?: number;
  /** Scales every body and attachment size (1 = about 23 KB a message on average). */
  sizeFactor?: number;
  /** Shifts message numbers, so a second batch gets its own Message-IDs. */
  firstIndex?: number;
}

/**
 * Yields `count` messages, oldest first. The same options always give the
 * same bytes (apart from nothing: no clock, no randomness from the OS).
 */
export function* generateCorpus(options: CorpusOptions): Generator<CorpusMessage> {
  const random = prng(options.seed ?? 2024);
  const sizeFactor = options.sizeFactor ?? 1;
  const firstIndex = options.firstIndex ?? 0;
  const tail = makeTail(random, 6000);
  const people = makePeople(random);
  // One pool of random bytes; attachments are slices of it (incompressible, and fast to make).
  const pool = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i + 4 <= pool.length; i += 4) pool.writeUInt32LE((random() * 0x1_0000_0000) >>> 0, i);

  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const between = (lo: number, hi: number): number => Math.floor(lo + random() * (hi - lo));
  // Zipf-like: most words common, a long tail of rare ones.
  const word = (): string => (random() < 0.82 ? pick(COMMON) : random() < 0.97 ? pick(tail) : pick(NON_ASCII));

  const span = MARKERS.lastDay - MARKERS.firstDay;
  const messageIds: string[] = [];

  for (let n = 0; n < options.count; n++) {
    const i = firstIndex + n;
    // Evenly spread over the span, oldest first, with some jitter.
    const date = new Date(MARKERS.firstDay + Math.floor(((n + random() * 0.9) / options.count) * span));
    const plants: string[] = [];
    if (random() < 0.5) plants.push(MARKERS.commonWord);
    if (random() < 0.05) plants.push(MARKERS.word);
    if (random() < 0.01) plants.push(MARKERS.phrase);
    if (i % 2000 === 7) plants.push(MARKERS.rareWord);

    const paragraph = (bytes: number): string => {
      const lines: string[] = [];
      let size = 0;
      const toPlant = [...plants];
      while (size < bytes) {
        const words: string[] = [];
        const len = between(6, 14);
        for (let w = 0; w < len; w++) words.push(word());
        const planted = toPlant.shift();
        if (planted !== undefined) words.splice(between(0, words.length), 0, planted);
        const line = `${words.join(' ')}.`;
        lines.push(line.charAt(0).toUpperCase() + line.slice(1));
        size += Buffer.byteLength(line) + 2;
      }
      return lines.join('\r\n');
    };

    const from = random() < 0.02 ? MARTA : pick(people);
    const isReply = messageIds.length > 0 && random() < 0.25;
    const parent = isReply ? (messageIds[messageIds.length - 1 - Math.floor(random() * Math.min(50, messageIds.length))] as string) : null;
    let subject = random() < 0.08 ? `${pick(['Monthly', 'Weekly', 'Status', 'Incident'])} ${MARKERS.subjectWord} ${between(1, 400)}` : pick(SUBJECTS);
    if (random() < 0.1) subject += ` ${pick(NON_ASCII)}`;
    if (isReply) subject = `Re: ${subject}`;
    const messageId = `<${i}.${Math.floor(random() * 1e9).toString(36)}@bench.example.test>`;
    messageIds.push(messageId);

    const headers = [
      ...receivedLines(random, date, from),
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${from.address.split('@')[1]}; s=sel1;\r\n\th=from:to:subject:date:message-id; bh=${pool.subarray(i % 4000, (i % 4000) + 32).toString('base64')};\r\n\tb=${base64Lines(pool.subarray(i % 9000, (i % 9000) + 256)).replace(/\r\n/g, '\r\n\t ')}`,
      `From: ${formatAddress(from)}`,
      `To: "Bench User" <bench@example.test>${random() < 0.3 ? `, ${formatAddress(pick(people))}` : ''}`,
      ...(random() < 0.2 ? [`Cc: ${formatAddress(pick(people))}`] : []),
      `Subject: ${headerText(subject)}`,
      `Date: ${rfc2822(date)}`,
      `Message-ID: ${messageId}`,
      ...(parent ? [`In-Reply-To: ${parent}`, `References: ${parent}`] : []),
      `X-Mailer: ${pick(['Thunderbird 128.3', 'Apple Mail (2.3776)', 'Microsoft Outlook 16.0', 'Postern bench'])}`,
      'MIME-Version: 1.0',
    ];

    const textSize = Math.floor(between(600, 5400) * sizeFactor);
    const roll = random();
    let body: string;
    if (roll < 0.4) {
      const text = paragraph(textSize);
      headers.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable');
      body = qp(text);
    } else if (roll < 0.74) {
      headers.push('Content-Type: multipart/alternative; boundary="alt-b"');
      body = alternative('alt-b', paragraph(textSize), i);
    } else if (roll < 0.78) {
      // A newsletter: HTML only, markup-heavy.
      headers.push('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable');
      body = qp(html(paragraph(Math.floor(textSize * 2.5)), i));
    } else {
      headers.push('Content-Type: multipart/mixed; boundary="mix-b"');
      const parts = [random() < 0.5 ? `--mix-b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp(paragraph(textSize))}` : `--mix-b\r\nContent-Type: multipart/alternative; boundary="alt-b"\r\n\r\n${alternative('alt-b', paragraph(textSize), i)}`];
      const count = random() < 0.7 ? 1 : between(2, 4);
      for (let a = 0; a < count; a++) {
        const r = random();
        const size = Math.floor((r < 0.75 ? between(3_000, 20_000) : r < 0.97 ? between(20_000, 70_000) : between(200_000, 600_000)) * sizeFactor);
        const start = between(0, pool.length - size);
        const [type, ext] = pick([['application/pdf', 'pdf'], ['image/jpeg', 'jpg'], ['image/png', 'png'], ['application/zip', 'zip'], ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx']] as const);
        const name = `${pick(['scan', 'photo', 'minutes', plants.includes(MARKERS.word) ? 'invoice' : 'notes', 'slides'])}-${i}-${a}.${ext}`;
        parts.push(`--mix-b\r\nContent-Type: ${type}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(pool.subarray(start, start + size))}`);
      }
      body = `${parts.join('\r\n')}\r\n--mix-b--`;
    }
    const raw = Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`, 'utf8');
    yield { raw, date, seen: random() < 0.85, flagged: random() < 0.03 };
  }
}

function alternative(boundary: string, text: string, i: number): string {
  return [
    `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', qp(text),
    `--${boundary}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', qp(html(text, i)),
    `--${boundary}--`,
  ].join('\r\n');
}

function html(text: string, i: number): string {
  const paragraphs = text.split('\r\n').map((line) => `<p style="margin:0 0 12px;font-family:Arial,sans-serif;color:#333">${line} <a href="https://example.test/r/${i}">more</a></p>`);
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>p{line-height:1.4}</style></head><body><table width="100%"><tr><td>\r\n${paragraphs.join('\r\n')}\r\n</td></tr></table></body></html>`;
}

function receivedLines(random: Random, date: Date, from: Person): string[] {
  const hops = 2 + Math.floor(random() * 3);
  const lines: string[] = [];
  for (let h = 0; h < hops; h++) {
    const at = new Date(date.getTime() + (hops - h) * 1000);
    lines.push(`Received: from mx${h}.${from.address.split('@')[1]} (mx${h}.example.test [192.0.2.${10 + h}])\r\n\tby mail.example.test (Postfix) with ESMTPS id ${Math.floor(random() * 1e12).toString(16).toUpperCase()}\r\n\tfor <bench@example.test>; ${rfc2822(at)}`);
  }
  return lines;
}

/** RFC 5322 date with a numeric zone, as mailers write it. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
