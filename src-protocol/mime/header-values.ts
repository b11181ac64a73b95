/**
 * Turns mailparser's parsed root headers into the model's plain values.
 */
import type { EmailAddress, HeaderLines, HeaderValue, Headers } from 'mailparser';
import type { ModelAddress } from './message-model.ts';

/** The addresses of an address header (all of them when it is repeated), groups replaced by their members. */
export function addressList(headers: Headers, key: 'from' | 'to' | 'cc'): ModelAddress[] {
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

// RFC 5322 date-time ("[Tue,] 1 Jul 2003 10:52:37 +0200"), or the ISO 8601 some
// broken mailers write. Anything else is not trusted to JavaScript's lenient Date
// parser, which reads '12' as December 2001.
const RFC5322_DATE = /\b\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * The Date header as a UTC ISO string, read from the raw header line:
 * mailparser replaces a date it cannot read with the current time, and a
 * message must never look newer than it is.
 */
export function dateHeader(headerLines: HeaderLines): string | null {
  const line = headerLines.find((l) => l.key === 'date')?.line;
  if (line === undefined) return null;
  const value = line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
  if (!RFC5322_DATE.test(value) && !ISO_DATE.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
