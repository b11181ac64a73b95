/**
 * Turns the engine's sanitised HTML into the document shown in the message
 * iframe. The iframe is sandboxed without scripts or same-origin; this file
 * adds the second and third locks:
 *  - a CSP meta as the first thing in <head>: nothing loads except data:
 *    images and inline styles, so remote images, fonts and CSS stay blocked;
 *  - a DOM pass that removes whatever could navigate or load on its own
 *    (meta refresh, base, link, frames, objects, scripts), even though the
 *    engine's sanitiser should already have done so, and drops remote image
 *    and CSS URLs, so the frame does not even ask (the CSP would refuse).
 * `cid:` images are replaced by data: URLs the caller fetched from the local
 * store.
 */

import { hostOf, misleadingTarget } from './links.ts';
import { isTrackingHost, looksLikeTracker } from './trackers.ts';

export const MAIL_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
/**
 * The frame's policy once the person allowed remote content (for this message
 * or its sender): remote images too, and nothing else (no scripts, no fonts,
 * no remote style sheets, styles inline only).
 */
export const MAIL_CSP_REMOTE = "default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'";

const DROP = 'script, noscript, iframe, frame, frameset, object, embed, applet, meta, base, link, portal';

/** Normalises a Content-ID or cid: reference to the bare id (no <>, no scheme). */
export function normaliseCid(value: string): string {
  let v = value.trim();
  if (/^cid:/i.test(v)) v = v.slice(4);
  try {
    v = decodeURIComponent(v);
  } catch {
    // Keep it as written; a malformed escape is just part of the id.
  }
  return v.replace(/^<|>$/g, '').toLowerCase();
}

/** The cid references an HTML body uses, normalised. */
export function cidReferences(html: string): string[] {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const ids = new Set<string>();
  for (const el of doc.querySelectorAll('[src], [background]')) {
    for (const attr of ['src', 'background']) {
      const v = el.getAttribute(attr);
      if (v && /^cid:/i.test(v.trim())) ids.add(normaliseCid(v));
    }
  }
  return [...ids];
}

const REMOTE = /^\s*(?:https?:)?\/\//i;
const REMOTE_CSS = /url\(\s*["']?\s*(?:https?:)?\/\//i;
/** A whole remote url(...) token, quoted or not. */
const REMOTE_CSS_ALL = /url\(\s*(["']?)\s*(?:https?:)?\/\/[^)]*?\1\s*\)/gi;

export interface RemoteSummary {
  /** Remote items the blocked view does not load: images, CSS url()s, background attributes. */
  total: number;
  /** Of those, how many look like trackers (see trackers.ts). */
  trackers: number;
}

/** Every remote url(...) in a piece of CSS. */
export function remoteCssUrls(css: string): string[] {
  const out: string[] = [];
  for (const m of css.matchAll(/url\(\s*(["']?)\s*((?:https?:)?\/\/[^)"']*)\1\s*\)/gi)) out.push(m[2] ?? '');
  return out;
}

/** Counts what the blocked view leaves out, and which of it looks like tracking. */
export function remoteSummary(html: string): RemoteSummary {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  let total = 0;
  let trackers = 0;
  for (const el of doc.querySelectorAll('*')) {
    const src = el.getAttribute('src');
    if (el.localName === 'img' && src && REMOTE.test(src)) {
      total++;
      const facts = { host: hostOf(absolute(src)), width: el.getAttribute('width'), height: el.getAttribute('height'), style: el.getAttribute('style') };
      if (looksLikeTracker(facts)) trackers++;
    }
    const srcset = el.getAttribute('srcset');
    if (srcset && /(?:https?:)?\/\//i.test(srcset)) total++;
    const background = el.getAttribute('background');
    if (background && REMOTE.test(background)) {
      total++;
      if (isTrackingHost(hostOf(absolute(background)))) trackers++;
    }
    const css = el.localName === 'style' ? el.textContent : el.getAttribute('style');
    for (const url of css ? remoteCssUrls(css) : []) {
      total++;
      if (isTrackingHost(hostOf(absolute(url)))) trackers++;
    }
  }
  return { total, trackers };
}

/** A protocol-relative URL as the frame would read it (https). */
function absolute(url: string): string {
  const u = url.trim();
  return u.startsWith('//') ? `https:${u}` : u;
}

/** Whether the HTML asks for anything from the network (shown as "remote content blocked"). */
export function hasRemoteContent(html: string): boolean {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const el of doc.querySelectorAll('[src], [background], [srcset], [style], style, link[href]')) {
    for (const attr of ['src', 'background', 'srcset']) {
      const v = el.getAttribute(attr);
      if (v && REMOTE.test(v)) return true;
    }
    if (el.localName === 'link') return true;
    const css = el.localName === 'style' ? el.textContent : el.getAttribute('style');
    if (css && REMOTE_CSS.test(css)) return true;
  }
  return false;
}

const BASE_STYLE = `
  :root { color-scheme: light; }
  html, body { margin: 0; }
  body {
    padding: 20px 24px;
    font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
    color: #1f2328;
    background: #fff;
    overflow-wrap: anywhere;
  }
  img { max-width: 100%; height: auto; }
  pre { white-space: pre-wrap; }
  a { color: #0b57d0; }
  blockquote { margin: 0 0 0 0.8em; padding-left: 0.8em; border-left: 3px solid #d0d7de; color: #57606a; }
  a.postern-link-misleading { background: #fff4d6; outline: 1px dashed #b08000; }
  .postern-link-warning { display: inline-block; margin: 0 0.2em; color: #9a6700; font-size: 0.9em; cursor: help; }
`;

/**
 * Links: the real target as the hover title (a frame without scripts cannot
 * show a status line; the title tooltip is the browser's own), and a warning
 * after a link whose text shows a different host than it goes to. Every link
 * opens as a new window, which the sandbox (no allow-popups) refuses: a click
 * navigates neither the frame nor the app.
 */
function annotateLinks(doc: Document): void {
  for (const a of doc.querySelectorAll('a')) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
    const href = a.getAttribute('href');
    if (!href) continue;
    const real = misleadingTarget(a.textContent ?? '', href);
    if (real) {
      const why = `This link goes to ${real}`;
      a.setAttribute('title', `${why}\n${href}`);
      a.classList.add('postern-link-misleading');
      a.setAttribute('data-postern-real-host', real);
      const mark = doc.createElement('span');
      mark.className = 'postern-link-warning';
      mark.setAttribute('title', why);
      mark.setAttribute('role', 'img');
      mark.setAttribute('aria-label', why);
      mark.textContent = '\u26a0';
      a.after(mark);
    } else {
      const own = a.getAttribute('title')?.trim();
      a.setAttribute('title', own && own !== href ? `${own}\n${href}` : href);
    }
  }
}

export interface MailDocumentOptions {
  /** The person allowed remote content (this message, or always for its sender). */
  allowRemote?: boolean;
}

/**
 * Builds the srcdoc for the message iframe. `cidData` maps normalised
 * Content-IDs to data: URLs; unresolved cid: images keep a harmless empty src.
 * Remote URLs are taken out unless `allowRemote`, so a blocked frame does not
 * even ask (its CSP would refuse anyway).
 */
export function buildMailDocument(html: string, cidData: ReadonlyMap<string, string>, options: MailDocumentOptions = {}): string {
  const allowRemote = options.allowRemote === true;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const el of doc.querySelectorAll(DROP)) el.remove();
  for (const el of doc.querySelectorAll('*')) {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name)) el.removeAttribute(attr.name);
    }
    if (!allowRemote) {
      for (const attr of ['src', 'background', 'srcset']) {
        const v = el.getAttribute(attr);
        if (v && (REMOTE.test(v) || (attr === 'srcset' && /(?:https?:)?\/\//i.test(v)))) el.removeAttribute(attr);
      }
      const style = el.getAttribute('style');
      if (style && REMOTE_CSS.test(style)) el.setAttribute('style', style.replace(REMOTE_CSS_ALL, 'none'));
    }
    for (const attr of ['src', 'background']) {
      const v = el.getAttribute(attr);
      if (!v || !/^cid:/i.test(v.trim())) continue;
      const data = cidData.get(normaliseCid(v));
      if (data) el.setAttribute(attr, data);
      else el.removeAttribute(attr);
    }
  }
  if (!allowRemote) {
    for (const styleEl of doc.querySelectorAll('style')) {
      const css = styleEl.textContent ?? '';
      if (REMOTE_CSS.test(css)) styleEl.textContent = css.replace(REMOTE_CSS_ALL, 'none');
    }
  }
  annotateLinks(doc);
  const headStyles = [...doc.head.querySelectorAll('style')].map((s) => s.outerHTML).join('\n');
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${allowRemote ? MAIL_CSP_REMOTE : MAIL_CSP}">`,
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<style>${BASE_STYLE}</style>`,
    headStyles,
    '</head><body>',
    doc.body.innerHTML,
    '</body></html>',
  ].join('');
}
