/**
 * Prepared statements kept per database connection. Preparing costs more
 * than running a small statement, and sync runs the same few statements
 * for every message (a 10k-message sync spent seconds in prepare alone).
 * Statements built from a search query vary, so the cache is bounded: when
 * full it starts over rather than growing with every query typed.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const MAX_CACHED = 256;

const caches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

export function statement(db: DatabaseSync, sql: string): StatementSync {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size >= MAX_CACHED) cache.clear();
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}
