/**
 * electron-builder.yml is only exercised by `npm run dist`, which needs the
 * internet. Here it is checked offline against electron-builder's own JSON
 * schema, and every icon it names must exist and be a PNG of the right size.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const config = parse(readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  directories: { buildResources: string; output: string };
  icon: string;
  linux: { icon: string; target: string[]; category: string; mimeTypes: string[] };
  mac: { target: string; category: string };
  win: { target: string };
  files: string[];
  protocols: Array<{ name: string; schemes: string[] }>;
};
const resources = path.join(repo, config.directories.buildResources);

// The schema carries TypeScript-only keywords (e.g. "typeof": "function"), hence strict: false.
const ajv = new Ajv({ strict: false, allowUnionTypes: true, allErrors: true });
const validate = ajv.compile(
  JSON.parse(readFileSync(path.join(repo, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object,
);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`).toBe(true);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s schema', () => {
    const valid = validate(config);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has the schema catch a mistake (the check is real)', () => {
    expect(validate({ ...config, asar: 'yes please' })).toBe(false);
    expect(validate({ ...config, linux: { ...config.linux, taregt: ['deb'] } })).toBe(false);
  });

  it('builds the agreed targets and registers as a mailto handler', () => {
    expect(config.appId).toBe('org.postern.app');
    expect(config.productName).toBe('Postern');
    expect(config.asar).toBe(true);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Network;Email');
    expect(config.linux.mimeTypes).toContain('x-scheme-handler/mailto');
    expect(config.mac).toMatchObject({ target: 'dmg', category: 'public.app-category.productivity' });
    expect(config.win.target).toBe('nsis');
    expect(config.protocols.flatMap((p) => p.schemes)).toContain('mailto');
  });

  it('packs the built app and the package manifest, not sources or maps', () => {
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/electron/**', 'dist/renderer/**', '!**/*.map']));
    const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it('names icons that exist: a 1024 px PNG and the Linux set', () => {
    expect(pngSize(path.join(resources, config.icon))).toEqual({ width: 1024, height: 1024 });
    const linuxIcons = path.join(resources, config.linux.icon);
    expect(statSync(linuxIcons).isDirectory()).toBe(true);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const file = path.join(linuxIcons, `${size}x${size}.png`);
      expect(existsSync(file), file).toBe(true);
      expect(pngSize(file)).toEqual({ width: size, height: size });
    }
    expect(existsSync(path.join(resources, 'icon.svg'))).toBe(true);
  });
});
