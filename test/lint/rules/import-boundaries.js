/**
 * import-boundaries: enforces DESIGN.md, "Who may import whom".
 *
 * Every import of our own code (a relative or absolute path, in `import`,
 * `import type`, `export … from`, `import()`, `require()` or a TypeScript
 * `import('…')` type) is resolved against the importing file and checked
 * against the zone table below. Bare package specifiers are checked against
 * the package bans of the importing zone (the engine never imports electron
 * or DOM-only packages; the renderer and the contract never import Node).
 *
 * Type-only imports are checked like any other: a type still ties the
 * importing folder to the imported one.
 *
 * Options (one object):
 *   root              absolute path of the repository; zone paths are relative to it
 *   nodeOnlyPackages  packages that need Node (banned in renderer/ and the contract)
 *   domOnlyPackages   packages that need the DOM (banned in src-protocol/)
 */
import { isBuiltin } from 'node:module';
import path from 'node:path';

const COMMON = 'src-protocol/common';
const CONTRACT = 'src-protocol/contract';

/** Bans for a zone's bare package imports. */
const ENGINE_BANS = ['electron', 'dom'];
const BROWSER_BANS = ['electron', 'node'];

const ENGINE_PACKAGE_RULE = 'src-protocol/ is plain Node: it imports neither electron nor the DOM';

/**
 * A row for one engine folder that may import itself and `alsoAllowed`.
 * mime, net, store (and imap, pop3, smtp) get a row each rather than one
 * shared row: each may import itself, never its siblings.
 */
function leaf(name, alsoAllowed, rule) {
  const folder = `src-protocol/${name}`;
  return {
    path: folder,
    allow: [folder, ...alsoAllowed],
    rule,
    bans: ENGINE_BANS,
    packageRule: ENGINE_PACKAGE_RULE,
  };
}

const RENDERER_RULE = 'renderer/ may import only renderer/ and src-protocol/contract';
const RENDERER_PACKAGE_RULE =
  "renderer/ runs in the browser sandbox: no node:* builtins, no 'electron', no Node-only packages";

/**
 * The zone table. A file belongs to the zone with the longest `path` that
 * contains it. `allow` lists folders (or single files) of ours that the zone
 * may import; `deny` carves exceptions out of `allow`; `allowAll` skips the
 * check. `rule` is quoted in the error, so it says which rule of DESIGN.md
 * is broken.
 */
export const ZONES = [
  {
    // A new folder in src-protocol/ must get a row here (and in DESIGN.md)
    // before it may import anything of ours.
    path: 'src-protocol',
    allow: [],
    rule: 'every folder of src-protocol/ has its own row in the table; add one for a new folder',
    bans: ENGINE_BANS,
    packageRule: ENGINE_PACKAGE_RULE,
  },
  {
    path: COMMON,
    allow: [COMMON],
    rule: 'src-protocol/common may import nothing of ours outside src-protocol/common',
    bans: ENGINE_BANS,
    packageRule: ENGINE_PACKAGE_RULE,
  },
  {
    path: CONTRACT,
    allow: [CONTRACT, `${COMMON}/error-codes.ts`],
    rule:
      'src-protocol/contract may import only src-protocol/contract and src-protocol/common/error-codes.ts ' +
      '(the contract stays Node-free so the renderer can use it)',
    bans: [...ENGINE_BANS, 'node'],
    packageRule: 'src-protocol/contract stays free of Node, electron and the DOM so the renderer can use it',
  },
  ...['mime', 'net', 'store'].map((name) =>
    leaf(name, [COMMON], `src-protocol/${name} may import only itself and src-protocol/common`),
  ),
  ...['imap', 'pop3', 'smtp'].map((name) =>
    leaf(
      name,
      [COMMON, 'src-protocol/net', 'src-protocol/mime'],
      `src-protocol/${name} may import only itself, common, net and mime (imap, pop3 and smtp never import each other)`,
    ),
  ),
  leaf(
    'accounts',
    [COMMON, 'src-protocol/net', CONTRACT],
    'src-protocol/accounts may import only itself, common, net and contract',
  ),
  leaf(
    'sync',
    [
      'src-protocol/imap',
      'src-protocol/pop3',
      'src-protocol/smtp',
      'src-protocol/store',
      'src-protocol/mime',
      'src-protocol/accounts',
      'src-protocol/net',
      COMMON,
      CONTRACT,
    ],
    'src-protocol/sync may import only itself, imap, pop3, smtp, store, mime, accounts, net, common and contract',
  ),
  ...['service', 'cli'].map((name) =>
    leaf(name, ['src-protocol'], `src-protocol/${name} may import everything in src-protocol/ (and nothing outside it)`),
  ),
  {
    path: 'electron',
    allow: ['electron', 'src-protocol/service', CONTRACT, COMMON, 'src-protocol/accounts'],
    rule: 'electron/ may import only electron/, src-protocol/service, contract, common and accounts',
    bans: [],
  },
  {
    path: 'renderer',
    allow: ['renderer', CONTRACT],
    rule: RENDERER_RULE,
    bans: BROWSER_BANS,
    packageRule: RENDERER_PACKAGE_RULE,
  },
  {
    path: 'renderer/components',
    allow: ['renderer', CONTRACT],
    deny: [{ path: 'renderer/state', rule: 'renderer/components must not import renderer/state' }],
    rule: RENDERER_RULE,
    bans: BROWSER_BANS,
    packageRule: RENDERER_PACKAGE_RULE,
  },
  {
    // Vite's config is build tooling that runs in Node; the renderer's
    // tsconfig leaves it out for the same reason.
    path: 'renderer/vite.config.ts',
    allowAll: true,
    bans: [],
  },
  { path: 'test', allowAll: true, bans: [] },
];

/** POSIX path of `absolute` relative to `root`, or null when outside it. */
function relativeToRoot(root, absolute) {
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return relative.split(path.sep).join('/');
}

function withoutExtension(p) {
  const ext = path.posix.extname(p);
  return ext === '' ? p : p.slice(0, -ext.length);
}

/** Whether `relPath` is `entry` or lies inside folder `entry`. */
function within(relPath, entry) {
  if (relPath === entry || relPath.startsWith(`${entry}/`)) return true;
  // A file entry also matches the same file written with another extension
  // or none ('../common/error-codes' or '.js' for '.ts').
  return path.posix.extname(entry) !== '' && withoutExtension(relPath) === withoutExtension(entry);
}

function zoneOf(relFile) {
  let best = null;
  for (const zone of ZONES) {
    if (within(relFile, zone.path) && (best === null || zone.path.length > best.path.length)) best = zone;
  }
  return best;
}

/** 'electron/main' -> 'electron', '@scope/pkg/x' -> '@scope/pkg'. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function stripQuery(specifier) {
  return specifier.replace(/[?#].*$/, '');
}

/** The string value of a module specifier node, or null if it is computed. */
function staticValue(node) {
  if (!node) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  if (node.type === 'TSLiteralType') return staticValue(node.literal);
  return null;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce DESIGN.md "Who may import whom"' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          nodeOnlyPackages: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          domOnlyPackages: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        required: ['root', 'nodeOnlyPackages', 'domOnlyPackages'],
        additionalProperties: false,
      },
    ],
    messages: {
      outsideZone: '{{zone}} may not import {{target}}. DESIGN.md "Who may import whom": {{rule}}.',
      forbiddenPackage: "{{zone}} may not import '{{specifier}}' ({{why}}). DESIGN.md: {{rule}}.",
    },
  },

  create(context) {
    const options = context.options[0];
    const root = path.resolve(options.root);
    const filename = context.physicalFilename;
    const relFile = relativeToRoot(root, filename);
    if (relFile === null) return {};
    const zone = zoneOf(relFile);
    if (zone === null) return {};
    const nodeOnly = new Set(options.nodeOnlyPackages);
    const domOnly = new Set(options.domOnlyPackages);
    // Name the file's folder: for the catch-all src-protocol zone, the file itself.
    const zoneLabel = zone.path === 'src-protocol' ? relFile : `${zone.path}/`;

    /** Why `specifier` is banned in this zone, or null. */
    function banReason(specifier) {
      const name = packageName(specifier);
      for (const ban of zone.bans) {
        if (ban === 'electron' && name === 'electron') return 'Electron';
        if (ban === 'node' && isBuiltin(specifier)) return 'a Node builtin';
        if (ban === 'node' && nodeOnly.has(name)) return 'a Node-only package';
        if (ban === 'dom' && domOnly.has(name)) return 'a DOM-only package';
      }
      return null;
    }

    function check(sourceNode) {
      const raw = staticValue(sourceNode);
      if (raw === null) return;
      const specifier = stripQuery(raw);
      const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);

      if (!isPath) {
        const why = banReason(specifier);
        if (why !== null) {
          context.report({
            node: sourceNode,
            messageId: 'forbiddenPackage',
            data: { zone: zoneLabel, specifier, why, rule: zone.packageRule },
          });
        }
        return;
      }

      if (zone.allowAll) return;
      const target = relativeToRoot(root, path.resolve(path.dirname(filename), specifier));
      if (target === null) return; // outside the repository: not ours
      const denied = (zone.deny ?? []).find((d) => within(target, d.path));
      const allowed = denied === undefined && zone.allow.some((entry) => within(target, entry));
      if (allowed) return;
      context.report({
        node: sourceNode,
        messageId: 'outsideZone',
        data: { zone: zoneLabel, target, rule: denied?.rule ?? zone.rule },
      });
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // `type T = import('../x.ts').T`
      TSImportType: (node) => check(node.source ?? node.argument),
      // `import x = require('../x')`
      TSExternalModuleReference: (node) => check(node.expression),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) {
          check(node.arguments[0]);
        }
      },
    };
  },
};
