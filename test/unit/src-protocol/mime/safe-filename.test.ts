import { describe, expect, it } from 'vitest';
import { extensionForType, safeFileName, uniqueFileNames } from '../../../../src-protocol/mime/safe-filename.ts';

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** True when the string survives a UTF-8 round trip, i.e. no half surrogate pair was left behind. */
const wellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;

describe('safeFileName', () => {
  it('keeps an ordinary name as it is', () => {
    expect(safeFileName('Quarterly report 2025.pdf', 'application/pdf', 0)).toBe('Quarterly report 2025.pdf');
    expect(safeFileName('€ rapport été.txt', 'text/plain', 0)).toBe('€ rapport été.txt');
  });

  it('cannot climb out of the download folder', () => {
    expect(safeFileName('../../etc/passwd', 'text/plain', 0)).toBe('passwd');
    expect(safeFileName('..\\..\\Windows\\win.ini', 'text/plain', 0)).toBe('win.ini');
    expect(safeFileName('/etc/shadow', 'text/plain', 0)).toBe('shadow');
    for (const hostile of ['..', '../', '..\\..', '.', '/']) {
      const name = safeFileName(hostile, 'application/octet-stream', 4);
      expect(name).toBe('attachment-5.bin');
    }
  });

  it('drops drive letters and Windows paths', () => {
    expect(safeFileName('C:\\x\\evil.exe', 'application/octet-stream', 0)).toBe('evil.exe');
    expect(safeFileName('C:evil.exe', 'application/octet-stream', 0)).toBe('evil.exe');
    expect(safeFileName('D:', 'application/pdf', 1)).toBe('attachment-2.pdf');
  });

  it('renames Windows device names, with or without an extension', () => {
    expect(safeFileName('CON.txt', 'text/plain', 0)).toBe('_CON.txt');
    expect(safeFileName('con', 'text/plain', 0)).toBe('_con');
    expect(safeFileName('nul.tar.gz', 'application/gzip', 0)).toBe('_nul.tar.gz');
    expect(safeFileName('COM1', 'text/plain', 0)).toBe('_COM1');
    expect(safeFileName('lpt9.doc', 'text/plain', 0)).toBe('_lpt9.doc');
    expect(safeFileName('AUX .txt', 'text/plain', 0)).toBe('_AUX .txt');
    expect(safeFileName('com\u00b9.txt', 'text/plain', 0)).toBe('_com\u00b9.txt');
    // Names that merely start like a device are fine.
    expect(safeFileName('CONSOLE.txt', 'text/plain', 0)).toBe('CONSOLE.txt');
    expect(safeFileName('COM10.txt', 'text/plain', 0)).toBe('COM10.txt');
  });

  it('removes bidi controls so the real extension shows', () => {
    // Displayed as 'invoiceexe.pdf' by a bidi-aware renderer; really an .exe.
    expect(safeFileName('invoice\u202Efdp.exe', 'application/pdf', 0)).toBe('invoicefdp.exe');
    const mixed = 'a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i\u200Ej\u200Fk.txt';
    expect(safeFileName(mixed, 'text/plain', 0)).toBe('abcdefghijk.txt');
  });

  it('removes control characters and characters Windows refuses', () => {
    expect(safeFileName('a\u0000b\u0007c\u001b\u007f\u0085.txt', 'text/plain', 0)).toBe('abc.txt');
    const name = safeFileName('a<b>c:d"e|f?g*h.txt', 'text/plain', 0);
    expect(name).not.toMatch(/[<>:"|?*]/);
    expect(name.endsWith('.txt')).toBe(true);
  });

  it('drops trailing dots and spaces and leading dots', () => {
    expect(safeFileName('evil.exe. . ', 'application/octet-stream', 0)).toBe('evil.exe');
    expect(safeFileName('  report.pdf  ', 'application/pdf', 0)).toBe('report.pdf');
    expect(safeFileName('.bashrc', 'text/plain', 0)).toBe('bashrc');
  });

  it('bounds long names to 200 bytes of UTF-8 and keeps the extension', () => {
    const ascii = safeFileName(`${'a'.repeat(300)}.pdf`, 'application/pdf', 0);
    expect(utf8Bytes(ascii)).toBe(200);
    expect(ascii).toBe(`${'a'.repeat(196)}.pdf`);

    // 3 bytes a character: 65 characters (195 bytes) + '.txt' would be 199; 66 would be 202.
    const cjk = safeFileName(`${'日'.repeat(100)}.txt`, 'text/plain', 0);
    expect(cjk).toBe(`${'日'.repeat(65)}.txt`);

    // 4 bytes and a surrogate pair a character: never cut in half.
    const emoji = safeFileName(`${'😀'.repeat(60)}.png`, 'image/png', 0);
    expect(utf8Bytes(emoji)).toBeLessThanOrEqual(200);
    expect(wellFormed(emoji)).toBe(true);
    expect(emoji).toBe(`${'😀'.repeat(49)}.png`);
  });

  it('names unnamed attachments after their position and type', () => {
    expect(safeFileName(null, 'application/pdf', 0)).toBe('attachment-1.pdf');
    expect(safeFileName('', 'image/png', 1)).toBe('attachment-2.png');
    expect(safeFileName(null, 'image/jpeg', 2)).toBe('attachment-3.jpg');
    expect(safeFileName(null, 'image/gif', 3)).toBe('attachment-4.gif');
    expect(safeFileName(null, 'text/plain; charset=utf-8', 4)).toBe('attachment-5.txt');
    expect(safeFileName(null, 'text/html', 5)).toBe('attachment-6.html');
    expect(safeFileName(null, 'message/rfc822', 6)).toBe('attachment-7.eml');
    expect(safeFileName(null, 'text/calendar; method=REQUEST', 7)).toBe('attachment-8.ics');
    expect(safeFileName(null, 'application/zip', 8)).toBe('attachment-9.zip');
    expect(safeFileName(null, 'application/x-something', 9)).toBe('attachment-10.bin');
    expect(safeFileName('\u202E\u0000 ', 'APPLICATION/PDF', 0)).toBe('attachment-1.pdf');
  });

  it('maps content types to extensions case-insensitively', () => {
    expect(extensionForType('Image/PNG')).toBe('png');
    expect(extensionForType('')).toBe('bin');
  });
});

describe('uniqueFileNames', () => {
  it('numbers collisions, ignoring case, before the extension', () => {
    expect(uniqueFileNames(['a.txt', 'A.txt', 'a.txt', 'b.txt'])).toEqual(['a.txt', 'A (2).txt', 'a (3).txt', 'b.txt']);
  });

  it('numbers names without an extension at the end', () => {
    expect(uniqueFileNames(['report', 'Report'])).toEqual(['report', 'Report (2)']);
  });

  it('does not reuse a name that was already in the list', () => {
    expect(uniqueFileNames(['a (2).txt', 'a.txt', 'a.txt'])).toEqual(['a (2).txt', 'a.txt', 'a (3).txt']);
  });

  it('leaves distinct names alone', () => {
    expect(uniqueFileNames(['x.pdf', 'y.pdf'])).toEqual(['x.pdf', 'y.pdf']);
    expect(uniqueFileNames([])).toEqual([]);
  });
});
