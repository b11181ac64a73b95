/** Small, strict helpers for CLI arguments: every value is checked here. */
import { PosternError } from '../common/errors.ts';

export function hostPort(value: string | undefined, flag: string): { host: string; port: number } {
  const m = value ? /^(\[[^\]]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(value) : null;
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || m[1].replace(/^\[|\]$/g, '') === '' || port < 1 || port > 65535) throw new PosternError('BAD_INPUT', `${flag} takes HOST:PORT, e.g. ${flag} imap.example.com:993.`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export function security(value: string | undefined, flag: string, port: number, implicitPorts: number[]): 'tls' | 'starttls' {
  if (value === undefined) return implicitPorts.includes(port) ? 'tls' : 'starttls';
  if (value === 'tls' || value === 'starttls') return value;
  throw new PosternError('BAD_INPUT', `${flag} takes tls or starttls.`);
}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new PosternError('BAD_INPUT', `${flag} is required.`);
  return value;
}

export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new PosternError('BAD_INPUT', `${flag} takes a positive whole number.`);
  return n;
}

export function envVariable(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new PosternError('BAD_INPUT', '--password-env takes the name of an environment variable.');
  return value;
}

export function nonNegativeInt(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new PosternError('BAD_INPUT', `${flag} takes a whole number of 0 or more.`);
  return n;
}
