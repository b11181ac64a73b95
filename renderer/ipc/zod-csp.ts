/**
 * Zod probes for eval with `new Function` when it builds an object schema,
 * which our CSP forbids: the probe is caught, but Chromium still reports a
 * policy violation. Turning the JIT off must happen before any schema is
 * built, so this module is imported before the contract, first thing.
 */
import { config } from 'zod';

config({ jitless: true });
