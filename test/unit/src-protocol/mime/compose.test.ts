import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeMessage, type ComposeInput } from '../../../../src-protocol/mime/compose.ts';
import { getAttachmentContent, parseMessage } from '../../../../src-protocol/mime/parse.ts';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

function input(overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    from: { name: 'Zoë Ünïcode', address: 'zoe@example.test' },
    to: ['Bob <bob@example.test>', '"Doe, Jane" <jane@example.test>'],
    cc: ['carol@example.test'],
    bcc: ['secret@example.test'],
    subject: 'Grüße aus Köln — ✓ and a subject long enough that it has to be folded over more than one header line',
    text: 'Hello Bob,\n\nline with ünïcödé and a very long line that goes on and on and on past the seventy-eight characters a line should have\n',
    attachments: [
      { filename: 'all-bytes.bin', contentType: 'application/octet-stream', content: ALL_BYTES },
      { filename: 'résumé été.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') },
    ],
    messageIdDomain: 'example.test',
    date: new Date('2025-03-04T05:06:07.000Z'),
    ...overrides,
  };
}

/** The header block of a raw message (unfolded lines are enough for these checks). */
const headerBlock = (raw: Buffer): string => raw.toString('latin1').split('\r\n\r\n')[0] ?? '';

describe('composeMessage -> parseMessage round trip', () => {
  it('keeps subject, addresses, text, date and attachment bytes', async () => {
    const composed = await composeMessage(input());
    const m = await parseMessage(composed.raw);
    const i = input();
    expect(m.subject).toBe(i.subject);
    expect(m.from).toEqual([{ name: 'Zoë Ünïcode', address: 'zoe@example.test' }]);
    expect(m.to).toEqual([
      { name: 'Bob', address: 'bob@example.test' },
      { name: 'Doe, Jane', address: 'jane@example.test' },
    ]);
    expect(m.cc).toEqual([{ name: '', address: 'carol@example.test' }]);
    expect(m.text).toBe(i.text);
    expect(m.date_iso).toBe('2025-03-04T05:06:07.000Z');
    expect(m.message_id).toBe(composed.messageId);
    expect(m.attachments.map((a) => [a.filename, a.content_type, a.size, a.sha256])).toEqual([
      ['all-bytes.bin', 'application/octet-stream', 256, sha256(ALL_BYTES)],
      ['résumé été.pdf', 'application/pdf', 15, sha256(Buffer.from('%PDF-1.4\n%%EOF\n'))],
    ]);
    const first = await getAttachmentContent(composed.raw, 0);
    expect(first.content.equals(ALL_BYTES)).toBe(true);
  });

  it('encodes non-ASCII headers instead of writing raw UTF-8', async () => {
    const { raw } = await composeMessage(input());
    expect(headerBlock(raw)).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  });
});

describe('composeMessage: what goes on the wire', () => {
  it('keeps Bcc out of the headers but in the envelope', async () => {
    const composed = await composeMessage(input());
    expect(headerBlock(composed.raw)).not.toMatch(/^bcc:/im);
    expect(composed.raw.toString('latin1')).not.toContain('secret@example.test');
    expect(composed.envelope).toEqual({
      from: 'zoe@example.test',
      to: ['bob@example.test', 'jane@example.test', 'carol@example.test', 'secret@example.test'],
    });
  });

  it('lists each envelope recipient once', async () => {
    const composed = await composeMessage(input({ to: ['a@example.test, A@EXAMPLE.TEST'], cc: ['a@example.test'], bcc: [] }));
    expect(composed.envelope.to).toEqual(['a@example.test']);
  });

  it('uses CRLF line ends throughout', async () => {
    const { raw } = await composeMessage(input({ text: 'one\ntwo\r\nthree\n' }));
    const s = raw.toString('latin1');
    expect(s).toContain('\r\n');
    expect(s).not.toMatch(/[^\r]\n/);
    expect(s).not.toMatch(/\r[^\n]/);
  });

  it('gives a random Message-ID at the given domain, also in the header', async () => {
    const a = await composeMessage(input());
    const b = await composeMessage(input());
    expect(a.messageId).toMatch(/^<[^<>@\s]+@example\.test>$/);
    expect(a.messageId).not.toBe(b.messageId);
    expect(headerBlock(a.raw)).toContain(`Message-ID: ${a.messageId}`);
  });
});

describe('composeMessage: refuses bad input', () => {
  const rejects = (overrides: Partial<ComposeInput>, message?: RegExp) =>
    expect(composeMessage(input(overrides))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      ...(message === undefined ? {} : { message: expect.stringMatching(message) }),
    });

  it('rejects line breaks in any header value (header injection)', async () => {
    await rejects({ subject: 'Hi\r\nBcc: victim@example.test' }, /subject/);
    await rejects({ subject: 'Hi\nX-Evil: 1' }, /subject/);
    await rejects({ to: ['bob@example.test\r\nBcc: victim@example.test'] });
    await rejects({ cc: ['Carol <carol@example.test>\nX-Evil: 1'] });
    await rejects({ bcc: ['x@example.test\r'] });
    await rejects({ from: { name: 'Zoe\r\nBcc: victim@example.test', address: 'zoe@example.test' } }, /From name/);
    await rejects({ attachments: [{ filename: 'a.txt\r\nContent-Type: text/html', content: Buffer.from('x') }] }, /file name/);
    await rejects({ attachments: [{ filename: 'a.txt', contentType: 'text/plain\r\nX-Evil: 1', content: Buffer.from('x') }] });
    await rejects({ messageIdDomain: 'example.test>\r\nX-Evil: 1' });
  });

  it('rejects strings without a valid address and names them', async () => {
    await rejects({ to: ['not an address'] }, /"not an address"/);
    await rejects({ to: ['bob@'] }, /To address "bob@"/);
    await rejects({ cc: ['bob@example.test alice@example.test'] }, /Cc address "bob@example.test alice@example.test"/);
    await rejects({ bcc: ['Bob <>'] }, /Bcc address "Bob <>"/);
    await rejects({ to: [''] }, /To address ""/);
    await rejects({ from: { address: 'nobody' } }, /From address "nobody"/);
  });

  it('accepts the usual ways people write addresses', async () => {
    const composed = await composeMessage(
      input({ to: ['bob@example.test', 'Bob Two <bob2@example.test>', '"Doe, Jane" <j@example.test>', 'Team: t1@example.test, t2@example.test;'], cc: [], bcc: [] }),
    );
    expect(composed.envelope.to).toEqual(['bob@example.test', 'bob2@example.test', 'j@example.test', 't1@example.test', 't2@example.test']);
  });

  it('rejects a message without recipients', async () => {
    await rejects({ to: [], cc: [], bcc: [] }, /no recipients/);
  });
});
