/**
 * no-boundary-disable: a comment may not switch off postern/import-boundaries.
 *
 * In this project a boundary that gets in the way is a question for the issue
 * note (DESIGN.md: change the design when the code teaches us better), not a
 * local exception. So this rule reports every directive comment that would
 * silence the boundary check:
 *   - `eslint-disable`, `eslint-disable-line`, `eslint-disable-next-line`
 *     naming import-boundaries (or this rule, which guards it);
 *   - the same directives with no rule list, which switch off every rule;
 *   - `eslint` config comments (`/* eslint postern/import-boundaries: off *\/`)
 *     naming either rule.
 *
 * Limits: a directive that names this rule as well can still hide its own
 * report when it covers the comment itself (`eslint-disable-line`, or a block
 * `eslint-disable` at the top of a file), and an `eslint` config comment that
 * switches this rule off stops it from running in that file. ESLint has no
 * way to make a rule un-disablable short of `noInlineConfig` for everything;
 * this rule keeps honest mistakes out, review does the rest.
 */

/** Rules whose names a directive may not carry. */
const GUARDED = ['import-boundaries', 'no-boundary-disable'];

/** The names in a directive's rule list ('a, b' -> ['a', 'b']). */
function ruleNames(list) {
  return list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

function guarded(name) {
  return GUARDED.some((rule) => name === rule || name.endsWith(`/${rule}`));
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid comments that switch off postern/import-boundaries' },
    schema: [],
    messages: {
      disabled:
        'This comment switches off postern/import-boundaries. A boundary that gets in the way is ' +
        'a question for the issue note (DESIGN.md "Who may import whom"), not a disable.',
    },
  },

  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program() {
        const reported = new Set();
        const report = (comment) => {
          if (reported.has(comment)) return;
          reported.add(comment);
          context.report({ loc: comment.loc, messageId: 'disabled' });
        };

        for (const directive of sourceCode.getDisableDirectives().directives) {
          if (directive.type === 'enable') continue;
          const names = ruleNames(directive.value);
          if (names.length === 0 || names.some(guarded)) report(directive.node);
        }

        // `/* eslint rule: severity */`: the directive label is the first word.
        for (const comment of sourceCode.getInlineConfigNodes()) {
          const match = /^\s*eslint\s+([\s\S]*)$/u.exec(comment.value);
          if (match === null) continue;
          const settings = match[1].split(/\s-{2,}\s/u)[0];
          if (GUARDED.some((rule) => settings.includes(rule))) report(comment);
        }
      },
    };
  },
};
