/**
 * The no-boundary-disable rule (test/lint/rules/no-boundary-disable.js): a
 * comment may not switch off postern/import-boundaries, and the lint config
 * reports such a comment as an error instead of honouring it silently.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import importBoundaries from '../../lint/rules/import-boundaries.js';
import noBoundaryDisable from '../../lint/rules/no-boundary-disable.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

// The repository root, from this file's place in it (test/unit/lint/).
const root = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const MESSAGE =
  'This comment switches off postern/import-boundaries. A boundary that gets in the way is ' +
  'a question for the issue note (DESIGN.md "Who may import whom"), not a disable.';

const IMPORT = "import { send } from '../../src-protocol/smtp/submit.ts';";

/** `code` in a renderer file, reported once at the comment on `line`. */
function reported(code: string, line: number) {
  return { code, filename: path.join(root, 'renderer/ipc/probe.ts'), errors: [{ messageId: 'disabled', line }] };
}

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
  // Defined (not switched on) so that directives may name them as in the real config.
  plugins: { postern: { rules: { 'import-boundaries': importBoundaries, 'no-boundary-disable': noBoundaryDisable } } },
});

describe('no-boundary-disable', () => {
  tester.run('no-boundary-disable', noBoundaryDisable, {
    valid: [
      // Disabling some other rule is not this rule's business.
      '// eslint-disable-next-line no-console\nconsole.log(1);',
      '/* eslint-disable no-console -- the CLI prints */\nconsole.log(1);',
      // The justification may mention the rule; only the rule list counts.
      '// eslint-disable-next-line no-console -- unrelated to import-boundaries\nconsole.log(1);',
      // Enabling is fine.
      '/* eslint-enable postern/import-boundaries */',
      // Prose that mentions both words is not a directive.
      '// Never eslint-disable postern/import-boundaries: ask in the note.',
      '/* eslint no-console: "off" */\nconsole.log(1);',
    ],
    invalid: [
      reported(`// eslint-disable-next-line postern/import-boundaries\n${IMPORT}`, 1),
      reported(`${IMPORT} // eslint-disable-line postern/import-boundaries`, 1),
      reported(`/* eslint-disable no-console, postern/import-boundaries -- just this once */\n${IMPORT}`, 1),
      // A disable with no rule list switches import-boundaries off too.
      reported(`// eslint-disable-next-line\n${IMPORT}`, 1),
      reported(`// eslint-disable-next-line postern/no-boundary-disable\n${IMPORT}`, 1),
      reported(`/* eslint postern/import-boundaries: "off" */\n${IMPORT}`, 1),
    ],
  });
});

describe('the lint config reports a disabled boundary', () => {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, 'test/lint/eslint.config.js') });

  async function lint(code: string) {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, 'renderer/ipc/lint-probe.ts') });
    return result?.messages.map((m) => [m.ruleId, m.severity, m.line, m.message]);
  }

  it('as an error, even though the comment silences the import it covers', async () => {
    expect(
      await lint(`// eslint-disable-next-line postern/import-boundaries\n${IMPORT}\nexport const s = send;\n`),
    ).toEqual([['postern/no-boundary-disable', 2, 1, MESSAGE]]);
  });

  it('also when the comment names the guard as well (it covers the next line, not itself)', async () => {
    const code =
      `// eslint-disable-next-line postern/import-boundaries, postern/no-boundary-disable\n` +
      `${IMPORT}\nexport const s = send;\n`;
    expect(await lint(code)).toEqual([
      ['postern/no-boundary-disable', 2, 1, MESSAGE],
      [
        null,
        2,
        1,
        "Unused eslint-disable directive (no problems were reported from 'postern/no-boundary-disable').",
      ],
    ]);
  });

  it('and reports a disable comment that silences nothing as unused', async () => {
    const messages = await lint(
      "// eslint-disable-next-line postern/import-boundaries\nimport { z } from 'zod';\nexport const s = z;\n",
    );
    expect(messages?.map(([ruleId, severity]) => [ruleId, severity])).toEqual([
      ['postern/no-boundary-disable', 2],
      [null, 2],
    ]);
  });
});
