/**
 * Date header values -> UTC, for every form real mail uses: RFC 5322
 * ("Tue, 1 Jul 2003 10:52:37 +0200"), and what RFC 5322 calls obsolete but
 * mailers still write: no weekday, two-digit years, missing seconds, runs of
 * spaces, zone names (EST, PDT, GMT, UT, military letters), comments. Also
 * the ISO 8601 some broken mailers write. Anything else is null: the caller
 * falls back to the server's INTERNALDATE, never to "now", and JavaScript's
 * lenient Date parser (which reads '12' as December 2001) is never asked.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

// RFC 5322 section 4.3. Military single letters are "-0000" (zone unknown) because
// RFC 822 gave their signs backwards and nobody can tell which way a sender meant.
const ZONES: Readonly<Record<string, number>> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -5 * 60, edt: -4 * 60, cst: -6 * 60, cdt: -5 * 60, mst: -7 * 60, mdt: -6 * 60, pst: -8 * 60, pdt: -7 * 60,
};

// [weekday ,] day month year hour:minute[:second] [zone]; spaces may run, the comma may lack a space.
const RFC5322 =
  /^(?:[a-z]{3,9}\s*,?\s*)?(\d{1,2})\s*[-\s]\s*([a-z]{3})[a-z]*\.?\s*[-\s]\s*(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:\.\d+)?\s*([+-]\d{4}|[+-]\d{2}:\d{2}|[a-z]{1,5})?\s*$/i;
const ISO8601 = /^(\d{4})-(\d{2})-(\d{2})[T\s](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(z|[+-]\d{2}:?\d{2})?$/i;

/** The header value as a UTC ISO string, or null when it is not a date. */
export function parseMailDate(value: string): string | null {
  const ms = parseMailDateMs(value);
  return ms === null ? null : new Date(ms).toISOString();
}

/** The header value in milliseconds since 1970 (UTC), or null when it is not a date. */
export function parseMailDateMs(value: string): number | null {
  // Nearly every mailer writes the one canonical form: read that without regular expressions
  // (a header sync reads thousands; the general path below took ~2 µs each).
  const canonical = canonicalDateMs(value);
  if (canonical !== undefined) return canonical;
  // Most other dates have no comment and single spaces: those skip the rewriting.
  const text = (value.includes('(') ? stripComments(value) : value).replace(/\s{2,}|[\t\r\n]/g, ' ').trim();
  const m = RFC5322.exec(text);
  if (m !== null) {
    const [, day, mon, year, hour, minute, second, zone] = m;
    const month = MONTHS[(mon ?? '').toLowerCase()];
    if (month === undefined) return null;
    return build(fullYear(year ?? ''), month, Number(day), Number(hour), Number(minute), Number(second ?? '0'), zoneMinutes(zone));
  }
  const iso = ISO8601.exec(text);
  if (iso !== null) {
    const [, year, mon, day, hour, minute, second, zone] = iso;
    return build(Number(year), Number(mon) - 1, Number(day), Number(hour), Number(minute), Number(second ?? '0'), zoneMinutes(zone));
  }
  return null;
}

/** RFC 5322 4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx; three-digit years add 1900. */
function fullYear(year: string): number {
  const n = Number(year);
  if (year.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (year.length === 3) return 1900 + n;
  return n;
}

/** Minutes east of UTC; 0 for a missing or unknown zone (RFC 5322's "-0000": local time unknown). */
function zoneMinutes(zone: string | undefined): number {
  if (zone === undefined) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric !== null) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  return ZONES[zone.toLowerCase()] ?? 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function build(year: number, month: number, day: number, hour: number, minute: number, second: number, offset: number): number | null {
  // 60 is a leap second: read as the last second of the minute.
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || year < 1900 || year > 9999) return null;
  // 31 Feb would roll over into March: refuse it rather than invent a date. (No Date objects:
  // a header sync reads thousands of dates.)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 1 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0))) return null;
  return Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
}

/** Drops (comments), which may nest, as in "-0800 (PST)". */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (const ch of value) {
    if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLetter = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;

/**
 * "Tue, 1 Jul 2003 10:52:37 +0200" exactly (weekday optional, one or two
 * day digits, four-digit year, numeric zone, single spaces, nothing after):
 * what RFC5322 above reads it as. undefined for anything else, which the
 * general path then reads.
 */
function canonicalDateMs(v: string): number | null | undefined {
  let i = 0;
  if (v.length > 5 && v.charCodeAt(3) === 0x2c && v.charCodeAt(4) === 0x20) {
    if (!isLetter(v.charCodeAt(0)) || !isLetter(v.charCodeAt(1)) || !isLetter(v.charCodeAt(2))) return undefined;
    i = 5;
  }
  const num = (at: number, digits: number): number => {
    let n = 0;
    for (let k = 0; k < digits; k++) {
      const c = v.charCodeAt(at + k);
      if (!isDigit(c)) return -1;
      n = n * 10 + (c - 0x30);
    }
    return n;
  };
  const dayDigits = isDigit(v.charCodeAt(i + 1)) ? 2 : 1;
  const day = num(i, dayDigits);
  i += dayDigits;
  // " Mon YYYY HH:MM:SS +ZZZZ" is 24 characters from here, and then the end.
  if (day < 0 || v.length !== i + 24 || v.charCodeAt(i) !== 0x20 || v.charCodeAt(i + 4) !== 0x20 || v.charCodeAt(i + 9) !== 0x20
    || v.charCodeAt(i + 12) !== 0x3a || v.charCodeAt(i + 15) !== 0x3a || v.charCodeAt(i + 18) !== 0x20) return undefined;
  const month = MONTHS[v.slice(i + 1, i + 4).toLowerCase()];
  const year = num(i + 5, 4);
  const hour = num(i + 10, 2);
  const minute = num(i + 13, 2);
  const second = num(i + 16, 2);
  const sign = v.charCodeAt(i + 19);
  const zh = num(i + 20, 2);
  const zm = num(i + 22, 2);
  if (month === undefined || year < 0 || hour < 0 || minute < 0 || second < 0 || zh < 0 || zm < 0 || (sign !== 0x2b && sign !== 0x2d)) return undefined;
  const offset = zh * 60 + zm;
  return build(year, month, day, hour, minute, second, sign === 0x2d ? -offset : offset);
}
