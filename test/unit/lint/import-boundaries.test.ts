/**
 * The import-boundaries rule (test/lint/rules/import-boundaries.js) against
 * every row of DESIGN.md "Who may import whom", and the lint config that
 * applies it to the whole tree.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, RuleTester } from 'eslint';
import type { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { importBoundaryOptions } from '../../lint/eslint.config.js';
import importBoundaries from '../../lint/rules/import-boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

// The repository root, from this file's place in it (test/unit/lint/).
const root = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const options = [{ ...importBoundaryOptions, root }];

// The rules as the error messages quote them.
const COMMON_RULE = 'src-protocol/common may import nothing of ours outside src-protocol/common';
const CONTRACT_RULE =
  'src-protocol/contract may import only src-protocol/contract and src-protocol/common/error-codes.ts ' +
  '(the contract stays Node-free so the renderer can use it)';
const CONTRACT_PACKAGE_RULE =
  'src-protocol/contract stays free of Node, electron and the DOM so the renderer can use it';
const ENGINE_PACKAGE_RULE = 'src-protocol/ is plain Node: it imports neither electron nor the DOM';
const leafRule = (name: string) => `src-protocol/${name} may import only itself and src-protocol/common`;
const protocolRule = (name: string) =>
  `src-protocol/${name} may import only itself, common, net and mime (imap, pop3 and smtp never import each other)`;
const ACCOUNTS_RULE = 'src-protocol/accounts may import only itself, common, net and contract';
const SYNC_RULE =
  'src-protocol/sync may import only itself, imap, pop3, smtp, store, mime, accounts, net, common and contract';
const serviceRule = (name: string) =>
  `src-protocol/${name} may import everything in src-protocol/ (and nothing outside it)`;
const NEW_FOLDER_RULE = 'every folder of src-protocol/ has its own row in the table; add one for a new folder';
const ELECTRON_RULE = 'electron/ may import only electron/, src-protocol/service, contract, common and accounts';
const RENDERER_RULE = 'renderer/ may import only renderer/ and src-protocol/contract';
const COMPONENTS_RULE = 'renderer/components must not import renderer/state';
const RENDERER_PACKAGE_RULE =
  "renderer/ runs in the browser sandbox: no node:* builtins, no 'electron', no Node-only packages";

/** A case for `code` in the file at `file`, relative to the repository root. */
function at(file: string, code: string) {
  return { filename: path.join(root, file), code, options };
}

/** `file` imports `target` (relative to the root), which its zone may not. */
function outside(file: string, code: string, zone: string, target: string, rule: string) {
  return { ...at(file, code), errors: [{ messageId: 'outsideZone', data: { zone, target, rule } }] };
}

/** `file` imports package `specifier`, which its zone bans. */
function banned(file: string, code: string, zone: string, specifier: string, why: string, rule: string) {
  return { ...at(file, code), errors: [{ messageId: 'forbiddenPackage', data: { zone, specifier, why, rule } }] };
}

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
});

describe('src-protocol/common', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at('src-protocol/common/log.ts', "import { PosternError } from './errors.ts';"),
      at('src-protocol/common/atomic-file.ts', "import { open } from 'node:fs/promises';"),
    ],
    invalid: [
      outside(
        'src-protocol/common/log.ts',
        "import { tls } from '../net/tls.ts';",
        'src-protocol/common/',
        'src-protocol/net/tls.ts',
        COMMON_RULE,
      ),
      outside(
        'src-protocol/common/errors.ts',
        "import type { Envelope } from '../contract/envelope.ts';",
        'src-protocol/common/',
        'src-protocol/contract/envelope.ts',
        COMMON_RULE,
      ),
      banned(
        'src-protocol/common/log.ts',
        "import { app } from 'electron';",
        'src-protocol/common/',
        'electron',
        'Electron',
        ENGINE_PACKAGE_RULE,
      ),
    ],
  });
});

describe('src-protocol/contract', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at('src-protocol/contract/contract.ts', "import { z } from 'zod';\nimport { inbox } from './schemas.ts';"),
      at('src-protocol/contract/schemas.ts', "import { ERROR_CODE_LIST } from '../common/error-codes.ts';"),
      // The same file written without its extension, or as .js.
      at('src-protocol/contract/envelope.ts', "import type { ErrorCode } from '../common/error-codes';"),
      at('src-protocol/contract/envelope.ts', "export type { ErrorCode } from '../common/error-codes.js';"),
    ],
    invalid: [
      outside(
        'src-protocol/contract/schemas.ts',
        "import { PosternError } from '../common/errors.ts';",
        'src-protocol/contract/',
        'src-protocol/common/errors.ts',
        CONTRACT_RULE,
      ),
      outside(
        'src-protocol/contract/contract.ts',
        "import type { Dispatcher } from '../service/dispatcher-types.ts';",
        'src-protocol/contract/',
        'src-protocol/service/dispatcher-types.ts',
        CONTRACT_RULE,
      ),
      banned(
        'src-protocol/contract/envelope.ts',
        "import { EventEmitter } from 'node:events';",
        'src-protocol/contract/',
        'node:events',
        'a Node builtin',
        CONTRACT_PACKAGE_RULE,
      ),
      banned(
        'src-protocol/contract/envelope.ts',
        "import { Buffer } from 'buffer';",
        'src-protocol/contract/',
        'buffer',
        'a Node builtin',
        CONTRACT_PACKAGE_RULE,
      ),
      banned(
        'src-protocol/contract/schemas.ts',
        "import sanitize from 'sanitize-html';",
        'src-protocol/contract/',
        'sanitize-html',
        'a Node-only package',
        CONTRACT_PACKAGE_RULE,
      ),
    ],
  });
});

describe('src-protocol/mime, net, store', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at('src-protocol/mime/parse.ts', "import { simpleParser } from 'mailparser';\nimport { x } from './model.ts';"),
      at('src-protocol/net/tls.ts', "import { PosternError } from '../common/errors.ts';"),
      at('src-protocol/store/db.ts', "import { DatabaseSync } from 'node:sqlite';\nimport { m } from './migrations/001.ts';"),
    ],
    invalid: [
      outside(
        'src-protocol/store/messages.ts',
        "import type { MessageModel } from '../mime/message-model.ts';",
        'src-protocol/store/',
        'src-protocol/mime/message-model.ts',
        leafRule('store'),
      ),
      outside(
        'src-protocol/net/tls.ts',
        "export { openDb } from '../store/db.ts';",
        'src-protocol/net/',
        'src-protocol/store/db.ts',
        leafRule('net'),
      ),
      outside(
        'src-protocol/mime/compose.ts',
        "export * from '../contract/schemas.ts';",
        'src-protocol/mime/',
        'src-protocol/contract/schemas.ts',
        leafRule('mime'),
      ),
      banned(
        'src-protocol/mime/sanitize-html.ts',
        "import { createRoot } from 'react-dom/client';",
        'src-protocol/mime/',
        'react-dom/client',
        'a DOM-only package',
        ENGINE_PACKAGE_RULE,
      ),
    ],
  });
});

describe('src-protocol/imap, pop3, smtp', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'src-protocol/imap/imap-connection.ts',
        [
          "import { ImapFlow } from 'imapflow';",
          "import { tlsOptions } from '../net/tls.ts';",
          "import { parse } from '../mime/parse.ts';",
          "import { PosternError } from '../common/errors.ts';",
          "import { x } from './imap-folders.ts';",
        ].join('\n'),
      ),
      at('src-protocol/smtp/submit.ts', "import nodemailer from 'nodemailer';"),
    ],
    invalid: [
      outside(
        'src-protocol/imap/imap-connection.ts',
        "import { send } from '../smtp/submit.ts';",
        'src-protocol/imap/',
        'src-protocol/smtp/submit.ts',
        protocolRule('imap'),
      ),
      outside(
        'src-protocol/pop3/client.ts',
        "const m = await import('../imap/imap-folders.ts');",
        'src-protocol/pop3/',
        'src-protocol/imap/imap-folders.ts',
        protocolRule('pop3'),
      ),
      outside(
        'src-protocol/smtp/outbox.ts',
        "import type { Db } from '../store/db.ts';",
        'src-protocol/smtp/',
        'src-protocol/store/db.ts',
        protocolRule('smtp'),
      ),
      banned(
        'src-protocol/imap/idle.ts',
        "import { powerMonitor } from 'electron/main';",
        'src-protocol/imap/',
        'electron/main',
        'Electron',
        ENGINE_PACKAGE_RULE,
      ),
    ],
  });
});

describe('src-protocol/accounts', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'src-protocol/accounts/account-config.ts',
        [
          "import { accountSchema } from '../contract/schemas.ts';",
          "import { tlsOptions } from '../net/tls.ts';",
          "import { PosternError } from '../common/errors.ts';",
          "import type { CredentialStore } from './credentials.ts';",
        ].join('\n'),
      ),
    ],
    invalid: [
      outside(
        'src-protocol/accounts/account-config.ts',
        "import { openDb } from '../store/db.ts';",
        'src-protocol/accounts/',
        'src-protocol/store/db.ts',
        ACCOUNTS_RULE,
      ),
      outside(
        'src-protocol/accounts/autoconfig.ts',
        "import { ImapSession } from '../imap/imap-connection.ts';",
        'src-protocol/accounts/',
        'src-protocol/imap/imap-connection.ts',
        ACCOUNTS_RULE,
      ),
    ],
  });
});

describe('src-protocol/sync', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'src-protocol/sync/account-sync.ts',
        ['imap', 'pop3', 'smtp', 'store', 'mime', 'accounts', 'net', 'common', 'contract']
          .map((folder, i) => `import { x${i} } from '../${folder}/index.ts';`)
          .concat("import { queue } from './task-queue.ts';")
          .join('\n'),
      ),
    ],
    invalid: [
      outside(
        'src-protocol/sync/account-sync.ts',
        "import type { MailService } from '../service/mail-service.ts';",
        'src-protocol/sync/',
        'src-protocol/service/mail-service.ts',
        SYNC_RULE,
      ),
      outside(
        'src-protocol/sync/account-sync.ts',
        "import { main } from '../cli/main.ts';",
        'src-protocol/sync/',
        'src-protocol/cli/main.ts',
        SYNC_RULE,
      ),
    ],
  });
});

describe('src-protocol/service and cli', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'src-protocol/service/mail-service.ts',
        "import { AccountSync } from '../sync/account-sync.ts';\nimport { parse } from '../mime/parse.ts';",
      ),
      at('src-protocol/cli/postern.mjs', "import { MailService } from '../service/mail-service.ts';"),
      at('src-protocol/cli/serve.ts', "import { WebSocketServer } from 'ws';"),
    ],
    invalid: [
      outside(
        'src-protocol/service/mail-service.ts',
        "import { client } from '../../renderer/ipc/client.ts';",
        'src-protocol/service/',
        'renderer/ipc/client.ts',
        serviceRule('service'),
      ),
      outside(
        'src-protocol/cli/serve.ts',
        "import { createWindow } from '../../electron/windows.ts';",
        'src-protocol/cli/',
        'electron/windows.ts',
        serviceRule('cli'),
      ),
      banned(
        'src-protocol/service/engine-host.ts',
        "import { safeStorage } from 'electron';",
        'src-protocol/service/',
        'electron',
        'Electron',
        ENGINE_PACKAGE_RULE,
      ),
    ],
  });
});

describe('a folder of src-protocol that the table does not name', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [at('src-protocol/worker/run.ts', "import { parentPort } from 'node:worker_threads';")],
    invalid: [
      outside(
        'src-protocol/worker/run.ts',
        "import { PosternError } from '../common/errors.ts';",
        'src-protocol/worker/run.ts',
        'src-protocol/common/errors.ts',
        NEW_FOLDER_RULE,
      ),
    ],
  });
});

describe('electron/', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'electron/main.ts',
        [
          "import { app, BrowserWindow } from 'electron';",
          "import path from 'node:path';",
          "import { MailService } from '../src-protocol/service/mail-service.ts';",
          "import { contract } from '../src-protocol/contract/contract.ts';",
          "import { PosternError } from '../src-protocol/common/errors.ts';",
          "import type { CredentialStore } from '../src-protocol/accounts/credentials.ts';",
          "import { bind } from './ipc-bind.ts';",
        ].join('\n'),
      ),
      at('electron/build.mjs', "import { build } from 'esbuild';"),
    ],
    invalid: [
      outside(
        'electron/main.ts',
        "import { AccountSync } from '../src-protocol/sync/account-sync.ts';",
        'electron/',
        'src-protocol/sync/account-sync.ts',
        ELECTRON_RULE,
      ),
      outside(
        'electron/ipc/handlers.ts',
        "import type { ImapSession } from '../../src-protocol/imap/imap-connection.ts';",
        'electron/',
        'src-protocol/imap/imap-connection.ts',
        ELECTRON_RULE,
      ),
      outside(
        'electron/windows.ts',
        "import { App } from '../renderer/views/App.tsx';",
        'electron/',
        'renderer/views/App.tsx',
        ELECTRON_RULE,
      ),
      outside(
        'electron/legacy.cjs',
        "const { openDb } = require('../src-protocol/store/db.ts');",
        'electron/',
        'src-protocol/store/db.ts',
        ELECTRON_RULE,
      ),
    ],
  });
});

describe('renderer/', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'renderer/views/MailView.tsx',
        [
          "import { useState } from 'react';",
          "import { z } from 'zod';",
          "import { client } from '../ipc/client.ts';",
          "import type { Contract } from '../../src-protocol/contract/contract.ts';",
          "import { MessageList } from '../components/MessageList.tsx';",
          "import { useMailState } from '../state/mail-state.ts';",
          'export const View = () => <MessageList />;',
        ].join('\n'),
      ),
      at('renderer/state/mail-state.ts', "import type { Row } from '../components/MessageList.tsx';"),
      // Vite query suffixes do not hide the file.
      at('renderer/views/Logo.tsx', "import logo from '../styles/logo.svg?url';"),
      // Build tooling that runs in Node, outside the renderer's tsconfig.
      at('renderer/vite.config.ts', "import path from 'node:path';\nimport react from '@vitejs/plugin-react';"),
      // A computed specifier cannot be checked.
      at('renderer/ipc/client.ts', 'const m = await import(name);'),
    ],
    invalid: [
      // The message names the broken rule of DESIGN.md in full.
      {
        ...at(
          'renderer/components/X.tsx',
          "import type { EngineHost } from '../../src-protocol/service/engine-host.ts';",
        ),
        errors: [
          {
            message:
              'renderer/components/ may not import src-protocol/service/engine-host.ts. ' +
              'DESIGN.md "Who may import whom": renderer/ may import only renderer/ and src-protocol/contract.',
          },
        ],
      },
      outside(
        'renderer/ipc/client.ts',
        "export * from '../../src-protocol/common/errors.ts';",
        'renderer/',
        'src-protocol/common/errors.ts',
        RENDERER_RULE,
      ),
      outside(
        'renderer/ipc/client.ts',
        "export { ERROR_CODE_LIST } from '../../src-protocol/common/error-codes.ts';",
        'renderer/',
        'src-protocol/common/error-codes.ts',
        RENDERER_RULE,
      ),
      outside(
        'renderer/views/Composer.tsx',
        "const mime = await import('../../src-protocol/mime/compose.ts');",
        'renderer/',
        'src-protocol/mime/compose.ts',
        RENDERER_RULE,
      ),
      outside(
        'renderer/ipc/transport-electron.ts',
        "type Api = import('../../electron/preload.ts').Api;",
        'renderer/',
        'electron/preload.ts',
        RENDERER_RULE,
      ),
      outside(
        'renderer/ipc/worker.ts',
        "import Worker from '../../src-protocol/sync/worker.ts?worker';",
        'renderer/',
        'src-protocol/sync/worker.ts',
        RENDERER_RULE,
      ),
      banned(
        'renderer/lib/bytes.ts',
        "import { Buffer } from 'node:buffer';",
        'renderer/',
        'node:buffer',
        'a Node builtin',
        RENDERER_PACKAGE_RULE,
      ),
      banned(
        'renderer/lib/format.ts',
        "import path from 'path';",
        'renderer/',
        'path',
        'a Node builtin',
        RENDERER_PACKAGE_RULE,
      ),
      banned(
        'renderer/ipc/transport-electron.ts',
        "import { ipcRenderer } from 'electron';",
        'renderer/',
        'electron',
        'Electron',
        RENDERER_PACKAGE_RULE,
      ),
      ...['imapflow', 'nodemailer/lib/mime-node', 'mailparser', 'ws', 'sanitize-html'].map((specifier) =>
        banned(
          'renderer/lib/mail-html.ts',
          `import type * as M from '${specifier}';`,
          'renderer/',
          specifier,
          'a Node-only package',
          RENDERER_PACKAGE_RULE,
        ),
      ),
    ],
  });
});

describe('renderer/components', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'renderer/components/MessageList.tsx',
        [
          "import { format } from '../lib/format.ts';",
          "import { Row } from './Row.tsx';",
          "import type { MessageSummary } from '../../src-protocol/contract/schemas.ts';",
        ].join('\n'),
      ),
    ],
    invalid: [
      outside(
        'renderer/components/MessageList.tsx',
        "import { useMailState } from '../state/mail-state.ts';",
        'renderer/components/',
        'renderer/state/mail-state.ts',
        COMPONENTS_RULE,
      ),
      outside(
        'renderer/components/folders/FolderTree.tsx',
        "import type { FolderState } from '../../state/folders.ts';",
        'renderer/components/',
        'renderer/state/folders.ts',
        COMPONENTS_RULE,
      ),
      outside(
        'renderer/components/index.ts',
        "export * from '../state/index.ts';",
        'renderer/components/',
        'renderer/state/index.ts',
        COMPONENTS_RULE,
      ),
    ],
  });
});

describe('test/ and files outside the table', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      at(
        'test/unit/src-protocol/mime/parse.test.ts',
        [
          "import { parse } from '../../../../src-protocol/mime/parse.ts';",
          "import { App } from '../../../../renderer/views/App.tsx';",
          "import { createWindow } from '../../../../electron/windows.ts';",
          "import { app } from 'electron';",
          "import { readFile } from 'node:fs/promises';",
        ].join('\n'),
      ),
      // An import that leaves the repository is not ours to judge.
      at('renderer/ipc/client.ts', "import { x } from '../../../outside.ts';"),
      // Nor is a file outside the repository.
      { code: "import { app } from 'electron';", filename: '/elsewhere/renderer/x.ts', options },
    ],
    invalid: [],
  });
});

describe('the lint config (test/lint/eslint.config.js)', () => {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, 'test/lint/eslint.config.js') });

  it.each([
    'src-protocol/common/errors.ts',
    'src-protocol/cli/postern.mjs',
    'electron/main.ts',
    'electron/build.mjs',
    'renderer/components/MessageList.tsx',
    'renderer/vite.config.ts',
    'test/unit/lint/import-boundaries.test.ts',
  ])('applies the import-boundaries rule to %s', async (file) => {
    const config = (await eslint.calculateConfigForFile(path.join(root, file))) as Linter.Config;
    const setting = config.rules?.['postern/import-boundaries'];
    expect(Array.isArray(setting) ? setting[0] : setting).toBe(2);
  });

  it.each(['dist/main.cjs', 'renderer/dist/assets/index.js', 'test-output/report.ts', '.tsbuild/x.ts'])(
    'does not lint build output: %s',
    async (file) => {
      expect(await eslint.isPathIgnored(path.join(root, file))).toBe(true);
    },
  );

  it('reports a renderer file that imports imapflow, naming the rule', async () => {
    const [result] = await eslint.lintText("import { ImapFlow } from 'imapflow';\nexport const Flow = ImapFlow;\n", {
      filePath: path.join(root, 'renderer/ipc/lint-probe.ts'),
    });
    expect(result?.messages.map((m) => [m.ruleId, m.message])).toEqual([
      [
        'postern/import-boundaries',
        "renderer/ may not import 'imapflow' (a Node-only package). DESIGN.md: " + RENDERER_PACKAGE_RULE + '.',
      ],
    ]);
  });

  it.each([
    ['electron/build.mjs', 'process.exitCode = setTimeout.length;'],
    ['src-protocol/cli/lint-probe.js', 'console.log(new URL(import.meta.url), Buffer.byteLength("x"));'],
    ['test/lint/lint-probe.js', 'process.stdout.write(String(structuredClone(1)));'],
    ['renderer/lib/lint-probe.js', 'document.title = String(window.innerWidth);'],
    ['renderer/vite.config.js', 'export default { root: process.cwd() };'],
    ['electron/lint-probe.cjs', "const fs = require('node:fs');\nmodule.exports = fs.existsSync(__dirname);"],
  ])('knows the globals of where %s runs', async (file, code) => {
    const [result] = await eslint.lintText(`${code}\n`, { filePath: path.join(root, file) });
    expect(result?.messages).toEqual([]);
  });

  it.each([
    ['electron/build.mjs', 'document.title = "x";', 'document'],
    ['renderer/lib/lint-probe.js', 'process.exitCode = 1;', 'process'],
    // Our .js/.mjs files are ES modules: CommonJS's wrapper variables do not exist.
    ['src-protocol/cli/lint-probe.mjs', 'console.log(__dirname);', '__dirname'],
  ])('reports in %s a global that does not exist there', async (file, code, name) => {
    const [result] = await eslint.lintText(`${code}\n`, { filePath: path.join(root, file) });
    expect(result?.messages.map((m) => [m.ruleId, m.message])).toEqual([['no-undef', `'${name}' is not defined.`]]);
  });

  it('applies eslint:recommended (from @eslint/js) to every file', async () => {
    const [result] = await eslint.lintText('export function f(a: number) {\n  debugger;\n  return a;\n}\n', {
      filePath: path.join(root, 'src-protocol/mime/lint-probe.ts'),
    });
    expect(result?.messages.map((m) => m.ruleId)).toEqual(['no-debugger']);
  });

  it('reports an imap file that imports smtp', async () => {
    const [result] = await eslint.lintText("import { send } from '../smtp/submit.ts';\nexport const s = send;\n", {
      filePath: path.join(root, 'src-protocol/imap/lint-probe.ts'),
    });
    expect(result?.messages.map((m) => m.ruleId)).toEqual(['postern/import-boundaries']);
  });
});
