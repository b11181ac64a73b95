// Types for no-boundary-disable.js, so the TypeScript tests can import it.
import type { Rule } from 'eslint';

declare const rule: Rule.RuleModule;
export default rule;
