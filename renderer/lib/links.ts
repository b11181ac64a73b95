/**
 * Links in mail: where a link really goes, and whether its visible text
 * claims another place ("www.mybank.example" pointing at a stranger's host),
 * the classic phishing trick.
 */

/** The host of an absolute http(s) URL, lower case; null for anything else (mailto:, junk). */
export function hostOf(url: string): string | null {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.hostname.toLowerCase().replace(/\.$/, '') || null;
  } catch {
    return null;
  }
}

// A host name as people write it in text: labels with dots and a letter TLD of 2+.
const HOST_TEXT = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * The host that visible link text shows, when the text looks like a URL or a
 * host name ("https://a.example/x", "www.a.example", "a.example/login");
 * null for ordinary words ("Click here", "Read more").
 */
export function hostShownIn(text: string): string | null {
  const t = text.trim().replace(/[.,;:!?)\]>]+$/, '').replace(/^[<([]+/, '');
  if (t === '' || /\s/.test(t)) return null;
  if (/^https?:\/\//i.test(t)) return hostOf(t);
  if (/^[a-z][a-z0-9+.-]*:/i.test(t) && !/^[^/]+:\d+/.test(t)) return null; // mailto:, tel:, …
  const host = t.split(/[/?#]/, 1)[0]?.replace(/:\d+$/, '') ?? '';
  if (host.includes('@')) return null; // an address, not a host
  return HOST_TEXT.test(host) ? host.toLowerCase() : null;
}

const bare = (h: string) => h.replace(/^www\./, '');

/**
 * The real host when a link's text shows a different one; null when the text
 * shows no host or the same one (with or without www., or a subdomain of the
 * host shown: "example.com" linking to "click.example.com" is the same owner).
 */
export function misleadingTarget(text: string, href: string): string | null {
  const shown = hostShownIn(text);
  const real = hostOf(href);
  if (!shown || !real) return null;
  const a = bare(shown);
  const b = bare(real);
  if (a === b || b.endsWith(`.${a}`)) return null;
  return real;
}
