// The messages the e2e test puts into the INBOX: raw MIME written out by
// hand, so what the test checks in the UI is exactly what is on the server.
import { randomBytes } from 'node:crypto';
import { makePng } from './png.ts';

const wrap = (b64: string) => b64.replace(/.{1,76}/g, '$&\r\n');

export interface Fixtures {
  plain: string;
  flagged: string;
  rich: string;
  old: string;
  /** The attachment inside `rich`, to compare saved bytes against. */
  richAttachment: { filename: string; contentType: string; bytes: Buffer };
  richSubject: string;
  richHtmlText: string;
}

function headers(h: Record<string, string>): string {
  return Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
}

/**
 * `trackerUrl` is an image on a server the test watches: the message view
 * must never fetch it.
 */
export function makeFixtures(to: string, dates: { rich: Date; plain: Date; flagged: Date; old: Date }, trackerUrl: string): Fixtures {
  const plain = [
    headers({
      From: '"Carol Danvers" <carol@example.test>',
      To: to,
      Subject: 'Lunch on Thursday?',
      Date: dates.plain.toUTCString(),
      'Message-ID': '<lunch-1@example.test>',
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Transfer-Encoding': '8bit',
    }),
    '',
    'Hi!',
    '',
    'Are you free for lunch on Thursday? The new place on the corner does a',
    'very good soup — and they finally have outdoor seating.',
    '',
    'Carol',
    '',
  ].join('\r\n');

  const flagged = [
    headers({
      From: 'builds@ci.example.test',
      To: to,
      Subject: 'Nightly build #1482 passed',
      Date: dates.flagged.toUTCString(),
      'Message-ID': '<build-1482@ci.example.test>',
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=us-ascii',
    }),
    '',
    'All 1,204 tests passed in 6m 12s.',
    '',
  ].join('\r\n');

  const old = [
    headers({
      From: '"Dmitri Ivanov" <dmitri@example.test>',
      To: to,
      Subject: 'Welcome to the team',
      Date: dates.old.toUTCString(),
      'Message-ID': '<welcome@example.test>',
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=utf-8',
    }),
    '',
    'Welcome aboard! Your desk is by the window.',
    '',
  ].join('\r\n');

  const logo = makePng(240, 60, [26, 95, 214]);
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n% fixture\n'), randomBytes(6000), Buffer.from('\n%%EOF\n')]);
  const richSubject = 'Q3 report and figures';
  const richHtmlText = 'Revenue grew 18% over the quarter';
  const html = `<!doctype html><html><head><style>
  .card { border: 1px solid #d0d7de; border-radius: 8px; padding: 16px; max-width: 560px; }
  h2 { color: #1a5fd6; margin-top: 0; }
  td { padding: 4px 12px 4px 0; }
</style></head><body>
<div class="card">
  <p><img src="cid:logo@example.test" alt="Example Corp logo" width="240" height="60"></p>
  <h2>Quarterly report</h2>
  <p>Hello,</p>
  <p><strong>${richHtmlText}</strong>, driven by the new subscription plans.
  The full figures are in the attached PDF.</p>
  <table><tr><td>Revenue</td><td>€ 4.2M</td></tr><tr><td>Customers</td><td>12,480</td></tr></table>
  <p><img src="${trackerUrl}" alt="" width="1" height="1"></p>
  <p>Best regards,<br>Erik from Finance</p>
</div>
</body></html>`;
  const text = `Hello,\r\n\r\n${richHtmlText}, driven by the new subscription plans.\r\nThe full figures are in the attached PDF.\r\n\r\nRevenue: 4.2M EUR\r\nCustomers: 12,480\r\n\r\nBest regards,\r\nErik from Finance\r\n`;
  const rich = [
    headers({
      From: '"Erik Lindqvist" <erik@example.test>',
      To: to,
      Cc: '"Finance Team" <finance@example.test>',
      Subject: richSubject,
      Date: dates.rich.toUTCString(),
      'Message-ID': '<q3-report@example.test>',
      'MIME-Version': '1.0',
      'Content-Type': 'multipart/mixed; boundary="mixed-1"',
    }),
    '',
    '--mixed-1',
    'Content-Type: multipart/related; boundary="related-1"',
    '',
    '--related-1',
    'Content-Type: multipart/alternative; boundary="alt-1"',
    '',
    '--alt-1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    '--alt-1',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    '--alt-1--',
    '',
    '--related-1',
    'Content-Type: image/png',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <logo@example.test>',
    'Content-Disposition: inline; filename="logo.png"',
    '',
    wrap(logo.toString('base64')),
    '--related-1--',
    '',
    '--mixed-1',
    'Content-Type: application/pdf; name="Q3-figures.pdf"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="Q3-figures.pdf"',
    '',
    wrap(pdf.toString('base64')),
    '--mixed-1--',
    '',
  ].join('\r\n');

  return {
    plain,
    flagged,
    rich,
    old,
    richAttachment: { filename: 'Q3-figures.pdf', contentType: 'application/pdf', bytes: pdf },
    richSubject,
    richHtmlText,
  };
}
