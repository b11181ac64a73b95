// Types for eslint.config.js, so the TypeScript tests can import it.
import type { Linter } from 'eslint';

export declare const repoRoot: string;

export declare const importBoundaryOptions: {
  root: string;
  nodeOnlyPackages: string[];
  domOnlyPackages: string[];
};

declare const config: Linter.Config[];
export default config;
