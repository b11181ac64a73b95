import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, resolveRendererFile } from '../../../electron/app-protocol.ts';
import { APP_CONTENT_SECURITY_POLICY } from '../../../electron/content-security-policy.ts';

// A profile-like layout: a secret next to the renderer folder that no URL may reach.
const base = mkdtempSync(path.join(tmpdir(), 'postern-protocol-'));
const rendererDir = path.join(base, 'dist', 'renderer');
mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Postern</title>');
writeFileSync(path.join(rendererDir, 'assets', 'app-1234.js'), 'console.log("app")');
writeFileSync(path.join(base, 'dist', 'secret.txt'), 'TOP SECRET');
writeFileSync(path.join(base, 'secret.txt'), 'TOP SECRET');
symlinkSync(path.join(base, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'));

afterAll(() => rmSync(base, { recursive: true, force: true }));

const handler = createAppProtocolHandler(rendererDir);

async function get(url: string, method = 'GET'): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await handler(new Request(url, { method }));
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('app protocol', () => {
  it('serves the renderer\'s index page with the app CSP', async () => {
    for (const url of ['postern://app/', 'postern://app/index.html', 'postern://app/index.html?x=1#/inbox']) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(res.text).toContain('<title>Postern</title>');
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(APP_CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves scripts as JavaScript so module scripts load', async () => {
    const res = await get('postern://app/assets/app-1234.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    'postern://app/../secret.txt',
    'postern://app/..%2fsecret.txt',
    'postern://app/..%2f..%2fsecret.txt',
    'postern://app/assets/%2e%2e/%2e%2e/secret.txt',
    'postern://app/%2e%2e%2f%2e%2e%2fsecret.txt',
    'postern://app/..%5c..%5csecret.txt',
    'postern://app/assets%5c..%5c..%5csecret.txt',
    'postern://app/%2fetc%2fpasswd',
    'postern://app/index.html%00.js',
    'postern://app/%E0%A4%A',
    'postern://app/assets/link.txt',
    'postern://evil/index.html',
    'https://app/index.html',
  ])('never serves a file outside dist/renderer: %s', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('TOP SECRET');
  });

  it('maps only to paths inside the folder', () => {
    expect(resolveRendererFile(rendererDir, 'postern://app/assets/app-1234.js')).toBe(path.join(rendererDir, 'assets', 'app-1234.js'));
    expect(resolveRendererFile(rendererDir, 'postern://app/..%2f..%2fsecret.txt')).toBeNull();
    // An absolute path in the URL stays relative to the folder.
    expect(resolveRendererFile(rendererDir, 'postern://app/%2fetc%2fpasswd')).toBe(path.join(rendererDir, 'etc', 'passwd'));
  });

  it('answers 404 for a missing file and for a folder', async () => {
    expect((await get('postern://app/missing.js')).status).toBe(404);
    expect((await get('postern://app/assets')).status).toBe(404);
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('postern://app/index.html', 'POST')).status).toBe(405);
    const head = await get('postern://app/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });
});

describe('app content security policy', () => {
  const directives = new Map(
    APP_CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );

  it('allows scripts only from the app itself: no inline, no eval, no remote', () => {
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('default-src')).toBe("'self'");
  });

  it('blocks plugins, base rewriting and form posts; remote images are gated by the mail frame\'s own CSP', () => {
    // http(s) images are allowed here only so a mail frame (which inherits this
    // policy) can show them once the person allows it; see content-security-policy.ts.
    expect(directives.get('img-src')).toBe("'self' data: blob: https: http:");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('frame-src')).toBe("'none'");
  });
});
