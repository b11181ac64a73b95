// Types for import-boundaries.js, so the TypeScript tests can import it.
import type { Rule } from 'eslint';

export interface Zone {
  path: string;
  allow?: string[];
  allowAll?: boolean;
  deny?: Array<{ path: string; rule: string }>;
  rule?: string;
  bans: Array<'electron' | 'node' | 'dom'>;
  packageRule?: string;
}

export declare const ZONES: readonly Zone[];

declare const rule: Rule.RuleModule;
export default rule;
