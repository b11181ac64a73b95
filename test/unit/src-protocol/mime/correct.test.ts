/**
 * Issue 4's "Correct" list. Each message is written here byte for byte,
 * with its expected values written out by hand; where Python's email package
 * reads the same thing, the test also checks that it agrees (one python3 run
 * for the whole file), so neither the expectations nor our parser stand
 * alone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAttachedMessage, parseMessage } from '../../../../src-protocol/mime/parse.ts';

const PY_MODEL = fileURLToPath(new URL('../../../fixtures/mime/py_model.py', import.meta.url));
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Lines joined with CRLF; latin1 so that \xNN escapes are single bytes. */
const bytes = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');
/** The same for text that must be UTF-8 on the wire. */
const utf8 = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

interface PyModel {
  subject: string;
  from: { name: string; address: string }[];
  date_iso: string | null;
  text: string | null;
  attachments: { filename: string | null; content_type: string; size: number | null }[];
}

const messages = new Map<string, Buffer>();
/** Registers a message for the Python cross-check and returns it. */
function message(name: string, raw: Buffer): Buffer {
  messages.set(name, raw);
  return raw;
}
let python = new Map<string, PyModel>();

const ENCODED_SUBJECTS: [string, string, string][] = [
  ['iso-2022-jp', '=?iso-2022-jp?B?GyRCRnxLXDhsJE43b0w+GyhC?=', '日本語の件名'],
  ['shift_jis', '=?shift_jis?B?gqiSbYLngrk=?=', 'お知らせ'],
  ['gb18030', '=?gb18030?B?xOO6w8rAvec=?=', '你好世界'],
  ['big5', '=?big5?B?wWPF6aSkpOU=?=', '繁體中文'],
  ['koi8-r (Q)', '=?koi8-r?Q?=F0=D2=C9=D7=C5=D4?=', 'Привет'],
  ['windows-1251', '=?windows-1251?B?x+Tw4OLx8uLz6fLl?=', 'Здравствуйте'],
  ['windows-1252 (Q, with curly quotes and euro)', '=?windows-1252?Q?Caf=E9_=93quoted=94_=805?=', 'Café “quoted” €5'],
  ['adjacent B and Q words joined without the space between them', '=?utf-8?B?R3LDvMOf?= =?iso-8859-1?Q?e_Gott?=', 'Grüße Gott'],
  ['a UTF-8 character split across two words', '=?utf-8?B?4pw=?= =?utf-8?B?kw==?= done', '✓ done'],
  ['folded words and plain text around them', 'Re: =?utf-8?Q?caf=C3=A9?=\r\n =?utf-8?Q?_cr=C3=A8me?= and more', 'Re: café crème and more'],
  ['lower-case b and q', '=?UTF-8?b?w6k=?= =?UTF-8?q?=C3=A8?=', 'éè'],
];

const DATES: [string, string][] = [
  ['Mon, 6 Jan 25 10:00 EST', '2025-01-06T15:00:00.000Z'],
  ['6 Jan 2025 10:00:00 EDT', '2025-01-06T14:00:00.000Z'],
  ['Tue,  7   Jan  2025  08:05:09   +0530', '2025-01-07T02:35:09.000Z'],
  ['7 Jan 99 23:59 PST', '1999-01-08T07:59:00.000Z'],
  ['Wed, 1 Jan 2025 00:00:00 -0000 (UTC)', '2025-01-01T00:00:00.000Z'],
  ['1 Feb 2025 3:04:05 +0100', '2025-02-01T02:04:05.000Z'],
  ['Thu, 2 Jan 2025 12:00:00 CDT', '2025-01-02T17:00:00.000Z'],
  ['  3 Jan 2025 12:00 GMT', '2025-01-03T12:00:00.000Z'],
  ['Fri,3 Jan 2025 23:30:00 -0930', '2025-01-04T09:00:00.000Z'],
];

const subjectMessage = (i: number, header: string): Buffer =>
  message(`subject-${i}`, bytes('From: a@example.test', `Subject: ${header}`, 'Date: 6 Jan 2025 10:00:00 +0000', '', 'x', ''));
const dateMessage = (i: number, date: string): Buffer => message(`date-${i}`, bytes('From: a@example.test', `Date: ${date}`, 'Subject: d', '', 'x', ''));
ENCODED_SUBJECTS.forEach(([, header], i) => subjectMessage(i, header));
DATES.forEach(([date], i) => dateMessage(i, date));

const ENCODED_FROM = message(
  'encoded-from',
  bytes('From: =?koi8-r?B?8NLJ18XU?= <ivan@example.test>, =?utf-8?Q?Ren=C3=A9e?= <r@example.test>', 'Subject: x', '', 'x', ''),
);

const RFC2231 = message(
  'rfc2231',
  bytes(
    'From: a@example.test',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'files',
    '--b',
    'Content-Type: application/pdf',
    'Content-Disposition: attachment;',
    " filename*0*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82;",
    ' filename*1*=%20%E2%84%96%201;',
    ' filename*2=".pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    'JVBERi0=',
    '--b',
    "Content-Type: text/plain; name*=iso-8859-1'fr'r%E9sum%E9.txt",
    'Content-Disposition: attachment',
    '',
    'cv',
    '--b',
    'Content-Type: application/octet-stream; name="=?utf-8?B?0YTQsNC50Lsuemlw?="',
    '',
    'zip',
    '--b--',
    '',
  ),
);

const RAW_UTF8 = message(
  'raw-utf8',
  utf8('From: "Jörg Ürlich" <joerg@example.test>', 'Subject: Grüße aus 東京', 'Date: 6 Jan 2025 10:00:00 +0900', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', 'Schöne Grüße', ''),
);

const BAD_BASE64 = message(
  'bad-base64',
  bytes(
    'From: a@example.test',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    'SGVs bG8g', // a stray space
    'V29y bGQ', // and no padding at the end
    '--b',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    'AAEC', // 00 01 02
    'AwQ=', // 03 04, padded mid-stream
    'BQ', // 05, unpadded
    '--b--',
    '',
  ),
);

const CHARSET_LIE = message(
  'charset-lie',
  bytes(
    'From: a@example.test',
    'Content-Type: multipart/alternative; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Caf\xe9 cr\xe8me \x80 5',
    '--b',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    '<p>Caf\xe9 cr\xe8me</p>',
    '--b--',
    '',
  ),
);

const FLOWED = bytes(
  'From: a@example.test',
  'Content-Type: text/plain; charset=utf-8; format=flowed',
  '',
  'This paragraph was wrapped by the ',
  'sender and is one line.',
  '',
  ' From a space-stuffed line.',
  '-- ',
  'Signature',
  '',
);
const FLOWED_DELSP = bytes(
  'From: a@example.test',
  'Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes',
  '',
  'Brok ',
  'en in the middle of a wo ',
  'rd, and after a  ',
  'space.',
  '',
);

const RELATED = message(
  'related',
  bytes(
    'From: a@example.test',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: multipart/related; boundary="r"; type="text/html"',
    '',
    '--r',
    'Content-Type: text/html',
    '',
    '<p>logo: <img src="cid:logo.1@example.test"></p>',
    '--r',
    'Content-Type: image/gif',
    'Content-ID: <logo.1@example.test>',
    'Content-Transfer-Encoding: base64',
    '',
    'R0lGODlhAQABAAAAACw=',
    '--r--',
    '--m',
    'Content-Type: image/gif; name="photo.gif"',
    'Content-Disposition: attachment; filename="photo.gif"',
    'Content-ID: <photo@example.test>',
    'Content-Transfer-Encoding: base64',
    '',
    'R0lGODlh',
    '--m--',
    '',
  ),
);

const INNER = bytes(
  'From: "Inner Sender" <inner@example.test>',
  'Subject: =?utf-8?Q?Inner_=C3=A9?=',
  'Date: Tue, 7 Jan 2025 09:00:00 +0100',
  'Content-Type: multipart/mixed; boundary="inner"',
  '',
  '--inner',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Inner body =E9t=E9',
  '--inner',
  'Content-Type: application/zip; name="inner.zip"',
  'Content-Disposition: attachment; filename="inner.zip"',
  'Content-Transfer-Encoding: base64',
  '',
  'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==',
  '--inner--',
  '',
);
const FORWARD = message(
  'forward',
  Buffer.concat([
    bytes('From: outer@example.test', 'Subject: Fwd: inner', 'Content-Type: multipart/mixed; boundary="outer"', '', '--outer', 'Content-Type: text/plain', '', 'See attached.', '--outer', 'Content-Type: message/rfc822', '', ''),
    INNER,
    bytes('--outer', 'Content-Type: text/calendar; method=REQUEST; charset=utf-8', '', 'BEGIN:VCALENDAR', 'END:VCALENDAR', '--outer--', ''),
  ]),
);

const INVITATION = message(
  'invitation',
  bytes(
    'From: organiser@example.test',
    'Subject: Meeting',
    'Content-Type: multipart/alternative; boundary="a"',
    '',
    '--a',
    'Content-Type: text/plain',
    '',
    'You are invited.',
    '--a',
    'Content-Type: text/calendar; method=REQUEST; charset=utf-8',
    '',
    'BEGIN:VCALENDAR',
    'METHOD:REQUEST',
    'END:VCALENDAR',
    '--a--',
    '',
  ),
);

beforeAll(() => {
  const names = [...messages.keys()];
  const input = JSON.stringify(names.map((n) => messages.get(n)?.toString('base64')));
  const out = JSON.parse(execFileSync('python3', [PY_MODEL], { input, maxBuffer: 64 * 1024 * 1024 }).toString('utf8')) as PyModel[];
  python = new Map(names.map((n, i) => [n, out[i] as PyModel]));
});

const py = (name: string): PyModel => {
  const found = python.get(name);
  if (found === undefined) throw new Error(`no Python model for ${name}`);
  return found;
};

describe('RFC 2047 encoded words in any charset', () => {
  ENCODED_SUBJECTS.forEach(([what, header, expected], i) => {
    it(what, async () => {
      const m = await parseMessage(subjectMessage(i, header));
      expect(m.subject).toBe(expected);
      expect(py(`subject-${i}`).subject).toBe(expected);
    });
  });

  it('decodes encoded display names in address headers', async () => {
    const m = await parseMessage(ENCODED_FROM);
    expect(m.from).toEqual([
      { name: 'Привет', address: 'ivan@example.test' },
      { name: 'Renée', address: 'r@example.test' },
    ]);
    expect(py('encoded-from').from).toEqual(m.from);
  });
});

describe('RFC 2231 parameters', () => {
  it('joins continuations and decodes their charsets, and decodes RFC 2047 in a quoted name', async () => {
    const m = await parseMessage(RFC2231);
    const expected = ['отчёт № 1.pdf', 'résumé.txt', 'файл.zip'];
    expect(m.attachments.map((a) => a.filename)).toEqual(expected);
    expect(m.attachments.map((a) => a.save_as)).toEqual(expected);
    expect(py('rfc2231').attachments.map((a) => a.filename)).toEqual(expected);
  });
});

describe('raw UTF-8 headers (RFC 6532)', () => {
  it('reads them as UTF-8', async () => {
    const m = await parseMessage(RAW_UTF8);
    expect(m.subject).toBe('Grüße aus 東京');
    expect(m.from).toEqual([{ name: 'Jörg Ürlich', address: 'joerg@example.test' }]);
    expect(m.text).toBe('Schöne Grüße\n');
    expect(m.date_iso).toBe('2025-01-06T01:00:00.000Z');
    // Python 3.11 reads raw UTF-8 in an address header as U+FFFD pairs, so only the rest is compared.
    const p = py('raw-utf8');
    expect([p.subject, p.text, p.date_iso]).toEqual([m.subject, m.text, m.date_iso]);
  });
});

describe('dates in real-world forms, converted with their zone', () => {
  DATES.forEach(([date, expected], i) => {
    it(JSON.stringify(date), async () => {
      const m = await parseMessage(dateMessage(i, date));
      expect(m.date_iso).toBe(expected);
      expect(py(`date-${i}`).date_iso).toBe(expected);
    });
  });

  it('refuses dates that do not exist rather than rolling them over', async () => {
    const m = await parseMessage(bytes('Date: 31 Feb 2025 10:00:00 +0000', '', 'x'), { fallbackDate: new Date('2025-03-01T00:00:00Z') });
    expect(m.date_iso).toBe('2025-03-01T00:00:00.000Z');
  });
});

describe('bodies', () => {
  it('reads base64 with stray characters and bad padding', async () => {
    const m = await parseMessage(BAD_BASE64);
    expect(m.text).toBe('Hello World');
    const data = Buffer.from([0, 1, 2, 3, 4, 5]);
    expect(m.attachments).toMatchObject([{ filename: 'data.bin', size: 6, sha256: sha256(data) }]);
    // Python stops decoding at the padding in the middle and gets 5 bytes: not compared.
    expect(py('bad-base64').text).toBe('Hello World');
  });

  it('reads text declared UTF-8 but written in windows-1252 as windows-1252, not as U+FFFD', async () => {
    const m = await parseMessage(CHARSET_LIE);
    expect(m.text).toBe('Café crème € 5');
    expect(m.html_rendered).toBe('<p>Café crème</p>');
  });

  it('undoes format=flowed', async () => {
    const m = await parseMessage(FLOWED);
    expect(m.text).toBe('This paragraph was wrapped by the sender and is one line.\n\nFrom a space-stuffed line.\n-- \nSignature');
  });

  it('undoes format=flowed with DelSp=yes, removing the space added for wrapping', async () => {
    const m = await parseMessage(FLOWED_DELSP);
    expect(m.text).toBe('Broken in the middle of a word, and after a space.');
  });
});

describe('structure', () => {
  it('lists multipart/related images with their Content-ID as inline, others as attachments', async () => {
    const m = await parseMessage(RELATED);
    expect(m.html_rendered).toBe('<p>logo: <img src="cid:logo.1@example.test" /></p>');
    expect(m.attachments.map((a) => [a.save_as, a.content_type, a.content_id, a.inline])).toEqual([
      ['attachment-1.gif', 'image/gif', 'logo.1@example.test', true],
      ['photo.gif', 'image/gif', 'photo@example.test', false],
    ]);
    expect(py('related').attachments.map((a) => [a.content_type, a.size])).toEqual(m.attachments.map((a) => [a.content_type, a.size]));
  });

  it('opens an attached message as a message of its own', async () => {
    const outer = await parseMessage(FORWARD);
    expect(outer.attachments.map((a) => a.content_type)).toEqual(['message/rfc822', 'text/calendar']);
    const inner = await parseAttachedMessage(FORWARD, 0);
    expect(inner.subject).toBe('Inner é');
    expect(inner.from).toEqual([{ name: 'Inner Sender', address: 'inner@example.test' }]);
    expect(inner.date_iso).toBe('2025-01-07T08:00:00.000Z');
    expect(inner.text).toBe('Inner body été');
    expect(inner.attachments.map((a) => [a.filename, a.size])).toEqual([['inner.zip', 22]]);
    // Python reads the same inner message, cut from the raw bytes by hand.
    const p = JSON.parse(execFileSync('python3', [PY_MODEL], { input: JSON.stringify([INNER.toString('base64')]) }).toString()) as PyModel[];
    expect([p[0]?.subject, p[0]?.text, p[0]?.attachments]).toEqual(['Inner é', 'Inner body été', [{ filename: 'inner.zip', content_type: 'application/zip', size: 22 }]]);
  });

  it('refuses to open an attachment that is not a message', async () => {
    await expect(parseAttachedMessage(FORWARD, 1)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(parseAttachedMessage(FORWARD, 9)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists text/calendar as an attachment with its type, beside the text', async () => {
    const m = await parseMessage(INVITATION);
    expect(m.text).toBe('You are invited.');
    expect(m.attachments.map((a) => [a.save_as, a.content_type])).toEqual([['attachment-1.ics', 'text/calendar']]);
    expect(py('invitation').attachments.map((a) => a.content_type)).toEqual(['text/calendar']);
    expect(py('invitation').text).toBe('You are invited.');
  });
});

describe('agreement with Python on every message above', () => {
  it('subject, from, date and attachment names, types and sizes', async () => {
    for (const [name, raw] of messages) {
      const m = await parseMessage(raw);
      const p = py(name);
      expect(m.subject, name).toBe(p.subject);
      if (name !== 'raw-utf8') expect(m.from, name).toEqual(p.from);
      expect(m.date_iso, name).toBe(p.date_iso);
      expect(
        m.attachments.map((a) => [a.filename, a.content_type]),
        name,
      ).toEqual(p.attachments.map((a) => [a.filename, a.content_type]));
      p.attachments.forEach((a, i) => {
        if (a.size !== null && name !== 'bad-base64') expect(m.attachments[i]?.size, `${name} #${i}`).toBe(a.size);
      });
    }
  });
});
