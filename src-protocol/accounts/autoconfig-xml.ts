/**
 * Reads a mail provider's autoconfig file (Thunderbird's config-v1.1.xml,
 * the format domains and Mozilla's ISPDB publish) into server settings.
 *
 * The file comes from the network, so it is read by a small reader of our
 * own that knows only what this format uses: elements, attributes, text,
 * CDATA, comments and the five named and numeric character references. A
 * document type (and with it every entity trick: external entities,
 * billions of laughs) is refused, not expanded. Nesting and size are bounded.
 */
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';
import type { Security } from '../contract/schemas.ts';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (not its children's), references replaced. */
  text: string;
}

export interface DiscoveredServer {
  host: string;
  port: number;
  security: Security;
}

export interface DiscoveredSettings {
  /** The user name the incoming server wants (placeholders filled in); null when the file does not say. */
  user: string | null;
  imap?: DiscoveredServer;
  pop3?: DiscoveredServer;
  smtp?: DiscoveredServer;
}

const bad = (why: string): PosternError => new PosternError('PROTOCOL', `The provider's settings file is not valid: ${why}.`);

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z_][\w.-]{0,30});/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) throw bad(`bad character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const named = NAMED[ref];
    if (named === undefined) throw bad(`unknown entity ${whole}`);
    return named;
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;

/** Parses the document; throws PROTOCOL for anything that is not plain, well-formed XML. */
export function parseXml(source: string): XmlElement {
  if (source.length > LIMITS.autoconfigMaxBytes) throw bad('it is too large');
  let pos = 0;
  /** Moves past the next `end`; returns what came before it. */
  const through = (end: string, what: string): string => {
    const at = source.indexOf(end, pos);
    if (at < 0) throw bad(`an unclosed ${what}`);
    const skipped = source.slice(pos, at);
    pos = at + end.length;
    return skipped;
  };
  /** A processing instruction or comment at pos is skipped (true); a document type is refused. */
  const skipIgnorable = (): boolean => {
    if (source.startsWith('<?', pos)) through('?>', 'processing instruction');
    else if (source.startsWith('<!--', pos)) through('-->', 'comment');
    else if (source.startsWith('<!', pos) && !source.startsWith('<![CDATA[', pos)) throw bad('it declares a document type, which Postern does not read');
    else return false;
    return true;
  };
  const skipMisc = (): void => {
    do {
      while (pos < source.length && /\s/.test(source[pos] as string)) pos++;
    } while (skipIgnorable());
  };
  const element = (depth: number): XmlElement => {
    if (depth > LIMITS.autoconfigMaxDepth) throw bad('it nests too deep');
    if (source[pos] !== '<') throw bad('an element was expected');
    pos++;
    const name = NAME.exec(source.slice(pos, pos + 200))?.[0];
    if (!name) throw bad('an element without a name');
    pos += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      while (pos < source.length && /\s/.test(source[pos] as string)) pos++;
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      const attr = NAME.exec(source.slice(pos, pos + 200))?.[0];
      if (!attr) throw bad(`a broken attribute in <${name}>`);
      pos += attr.length;
      while (/\s/.test(source[pos] ?? '')) pos++;
      if (source[pos] !== '=') throw bad(`attribute ${attr} without a value`);
      pos++;
      while (/\s/.test(source[pos] ?? '')) pos++;
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") throw bad(`attribute ${attr} without quotes`);
      const end = source.indexOf(quote, pos + 1);
      if (end < 0) throw bad(`attribute ${attr} not closed`);
      attrs[attr] = unescape(source.slice(pos + 1, end));
      pos = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (pos >= source.length) throw bad(`<${name}> is not closed`);
      if (source.startsWith('</', pos)) {
        const end = source.indexOf('>', pos);
        if (end < 0 || source.slice(pos + 2, end).trim() !== name) throw bad(`<${name}> is closed by another element`);
        pos = end + 1;
        return { name, attrs, children, text };
      }
      if (source.startsWith('<![CDATA[', pos)) {
        pos += 9;
        text += through(']]>', 'CDATA section');
      } else if (skipIgnorable()) {
        continue;
      } else if (source[pos] === '<') {
        children.push(element(depth + 1));
      } else {
        const end = source.indexOf('<', pos);
        text += unescape(source.slice(pos, end < 0 ? source.length : end));
        pos = end < 0 ? source.length : end;
      }
    }
  };
  skipMisc();
  const root = element(0);
  skipMisc();
  if (pos !== source.length) throw bad('something follows the document');
  return root;
}

const child = (e: XmlElement, name: string): XmlElement | undefined => e.children.find((c) => c.name === name);
const childText = (e: XmlElement, name: string): string => child(e, name)?.text.trim() ?? '';

/** %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN%, as Thunderbird fills them. */
function fill(template: string, email: string): string {
  const at = email.lastIndexOf('@');
  return template
    .replaceAll('%EMAILADDRESS%', email)
    .replaceAll('%EMAILLOCALPART%', email.slice(0, at))
    .replaceAll('%EMAILDOMAIN%', email.slice(at + 1));
}

const HOST = /^[A-Za-z0-9.-]{1,253}$/;

/** One server entry, or null when Postern cannot use it (plain text, a broken host or port). */
function server(e: XmlElement, email: string): { server: DiscoveredServer; user: string | null } | null {
  const host = fill(childText(e, 'hostname'), email).toLowerCase();
  const port = Number(childText(e, 'port'));
  const socket = childText(e, 'socketType').toUpperCase();
  // Postern never sends a password in the clear: a "plain" entry is skipped, not used.
  const security: Security | null = socket === 'SSL' || socket === 'TLS' ? 'tls' : socket === 'STARTTLS' ? 'starttls' : null;
  if (!HOST.test(host) || !Number.isInteger(port) || port < 1 || port > 65535 || security === null) return null;
  const user = childText(e, 'username');
  return { server: { host, port, security }, user: user ? fill(user, email) : null };
}

/**
 * The settings in an autoconfig document for `email`: the first IMAP server
 * Postern can use (else the first POP3 one) and the first SMTP server, in
 * the file's order of preference. null when the file has no usable incoming
 * server.
 */
export function readAutoconfig(xml: string, email: string): DiscoveredSettings | null {
  const root = parseXml(xml);
  if (root.name !== 'clientConfig') throw bad(`the root element is <${root.name}>, not <clientConfig>`);
  const provider = child(root, 'emailProvider');
  if (!provider) return null;
  const incoming = (type: string) => provider.children
    .filter((c) => c.name === 'incomingServer' && c.attrs['type'] === type)
    .map((c) => server(c, email))
    .find((s) => s !== null);
  const imap = incoming('imap');
  const pop3 = imap ? undefined : incoming('pop3');
  const smtp = provider.children
    .filter((c) => c.name === 'outgoingServer' && c.attrs['type'] === 'smtp')
    .map((c) => server(c, email))
    .find((s) => s !== null);
  const chosen = imap ?? pop3;
  if (!chosen) return null;
  return {
    user: chosen.user,
    ...(imap ? { imap: imap.server } : {}),
    ...(pop3 ? { pop3: pop3.server } : {}),
    ...(smtp ? { smtp: smtp.server } : {}),
  };
}
