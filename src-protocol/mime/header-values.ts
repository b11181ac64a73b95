/**
 * Turns mailparser's parsed root headers into the model's plain values.
 */
import type { EmailAddress, HeaderLines, HeaderValue, Headers } from 'mailparser';
import type { ModelAddress } from './message-model.ts';
import { parseMailDate } from './date-header.ts';

/** The addresses of an address header (all of them when it is repeated), groups replaced by their members. */
export function addressList(headers: Headers, key: 'from' | 'to' | 'cc' | 'reply-to'): ModelAddress[] {
  const value = headers.get(key);
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: ModelAddress[] = [];
  for (const object of objects) {
    if (object !== null && typeof object === 'object' && 'value' in object && Array.isArray(object.value)) {
      flattenInto(object.value as EmailAddress[], out);
    }
  }
  return out;
}

function flattenInto(entries: readonly EmailAddress[], out: ModelAddress[]): void {
  for (const entry of entries) {
    if (entry.group !== undefined) {
      flattenInto(entry.group, out);
      continue;
    }
    const address = entry.address ?? '';
    const name = entry.name ?? '';
    if (address !== '' || name !== '') out.push({ name, address });
  }
}

/** A header that is a single string (Subject, Message-ID, In-Reply-To), or null. */
export function stringHeader(headers: Headers, key: string): string | null {
  const value: HeaderValue | undefined = headers.get(key);
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return null;
}

export function referencesList(headers: Headers): string[] {
  const value = headers.get('references');
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The Date header as a UTC ISO string, read from the raw header line:
 * mailparser replaces a date it cannot read with the current time, and a
 * message must never look newer than it is.
 */
export function dateHeader(headerLines: HeaderLines): string | null {
  const line = headerLines.find((l) => l.key === 'date')?.line;
  if (line === undefined) return null;
  return parseMailDate(line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' '));
}
