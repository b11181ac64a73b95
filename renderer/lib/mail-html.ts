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

export const MAIL_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

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
`;

/**
 * Builds the srcdoc for the message iframe. `cidData` maps normalised
 * Content-IDs to data: URLs; unresolved cid: images keep a harmless empty src.
 */
export function buildMailDocument(html: string, cidData: ReadonlyMap<string, string>): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const el of doc.querySelectorAll(DROP)) el.remove();
  for (const el of doc.querySelectorAll('*')) {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name)) el.removeAttribute(attr.name);
    }
    for (const attr of ['src', 'background', 'srcset']) {
      const v = el.getAttribute(attr);
      if (v && (REMOTE.test(v) || (attr === 'srcset' && /(?:https?:)?\/\//i.test(v)))) el.removeAttribute(attr);
    }
    const style = el.getAttribute('style');
    if (style && REMOTE_CSS.test(style)) el.setAttribute('style', style.replace(REMOTE_CSS_ALL, 'none'));
    for (const attr of ['src', 'background']) {
      const v = el.getAttribute(attr);
      if (!v || !/^cid:/i.test(v.trim())) continue;
      const data = cidData.get(normaliseCid(v));
      if (data) el.setAttribute(attr, data);
      else el.removeAttribute(attr);
    }
  }
  for (const styleEl of doc.querySelectorAll('style')) {
    const css = styleEl.textContent ?? '';
    if (REMOTE_CSS.test(css)) styleEl.textContent = css.replace(REMOTE_CSS_ALL, 'none');
  }
  const headStyles = [...doc.head.querySelectorAll('style')].map((s) => s.outerHTML).join('\n');
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${MAIL_CSP}">`,
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<style>${BASE_STYLE}</style>`,
    headStyles,
    '</head><body>',
    doc.body.innerHTML,
    '</body></html>',
  ].join('');
}
