// The list's header fields, read without ENVELOPE: decoded names and
// subjects, groups flattened, references in order, the attachment guess.
import { describe, expect, it } from 'vitest';
import { parseListHeaders } from '../../../../src-protocol/mime/list-headers.ts';

const block = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n\r\n');

describe('parseListHeaders', () => {
  it('decodes RFC 2047 subjects and names, folded lines, groups and Cc', () => {
    const h = parseListHeaders(block([
      'Subject: =?UTF-8?Q?Caf=C3=A9?=', ' =?ISO-8859-1?Q?_r=E9union?=',
      'From: =?UTF-8?B?w4lsb8Ovc2U=?= <eloise@example.net>',
      'To: Team: a@example.net, "Doe, Jane" <j@example.net>;',
      'Cc: c@example.net',
      'Date: Tue, 07 Jan 2025 10:30:00 +0100',
      'Message-ID: <m1@x>', 'In-Reply-To: <p2@x>', 'References: <p1@x>', ' <p2@x>',
      'Content-Type: multipart/alternative; boundary="b"',
    ]));
    expect(h).toEqual({
      subject: 'Café réunion',
      from: [{ name: 'Éloïse', address: 'eloise@example.net' }],
      to: [{ name: '', address: 'a@example.net' }, { name: 'Doe, Jane', address: 'j@example.net' }, { name: '', address: 'c@example.net' }],
      date_ms: Date.parse('2025-01-07T09:30:00.000Z'),
      message_id: '<m1@x>',
      refs: ['<p1@x>', '<p2@x>'],
      has_attachments: false,
    });
  });

  it('guesses attachments from the top Content-Type', () => {
    expect(parseListHeaders(block(['Content-Type: multipart/mixed; boundary=x'])).has_attachments).toBe(true);
    expect(parseListHeaders(block(['Content-Type: application/pdf'])).has_attachments).toBe(true);
    expect(parseListHeaders(block(['Content-Type: text/html; charset=utf-8'])).has_attachments).toBe(false);
    expect(parseListHeaders(block([])).has_attachments).toBe(false);
  });

  it('gives every message its own addresses, even when the same From comes back (parses are reused)', () => {
    const from = 'From: =?UTF-8?Q?Ren=C3=A9?= <rene@example.net>, b@example.net';
    const first = parseListHeaders(block([from, 'To: b@example.net']));
    first.from[0]!.name = 'changed by the caller';
    first.from.pop();
    const second = parseListHeaders(block([from, 'Cc: b@example.net']));
    expect(second.from).toEqual([{ name: 'René', address: 'rene@example.net' }, { name: '', address: 'b@example.net' }]);
    expect(second.to).toEqual([{ name: '', address: 'b@example.net' }]);
  });

  it('unfolds as RFC 5322 says: tabs and runs of spaces, bare LF, the first of two fields, no field out of a stray line', () => {
    const h = parseListHeaders(Buffer.from([
      'Subject: first', '\t  half', 'X-Stray line without colon', ' Message-ID: <not@this>', 'Subject: second',
      'Message-ID:', '   <m@x>', 'From: a@example.net',
    ].join('\n') + '\n\n'));
    expect(h.subject).toBe('first half');
    expect(h.message_id).toBe('<m@x>');
    expect(h.from).toEqual([{ name: '', address: 'a@example.net' }]);
  });

  it('leaves a value without encoded words as it is, and still decodes one that has them', () => {
    expect(parseListHeaders(block(['Subject: 100% =? sure'])).subject).toBe('100% =? sure');
    expect(parseListHeaders(block(['Subject: plain, =?UTF-8?B?w6k=?= then'])).subject).toBe('plain, é then');
  });

  it('survives nonsense: no colon, empty values, a broken date', () => {
    const h = parseListHeaders(block(['garbage line', 'Subject:', 'Date: not a date', 'From: <>']));
    expect(h).toMatchObject({ subject: '', date_ms: null, message_id: null, refs: [] });
  });
});
