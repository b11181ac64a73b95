/**
 * The Content-Security-Policy sent with every page of the app scheme.
 *
 * Mail HTML is shown in `<iframe sandbox srcdoc>`. Checked in Chromium:
 * srcdoc frames are not subject to frame-src (they load even under
 * `frame-src 'none'`), and they inherit this policy, so inside a message
 * inline styles and data:/blob: images work while remote images, scripts,
 * forms and plugins are blocked. The srcdoc's own meta CSP can only narrow
 * what this policy allows, so for "load remote images" (this message, or
 * always for its sender) `img-src` here allows http(s) too.
 */
const DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  // React sets styles through the CSSOM (never blocked); 'unsafe-inline' is
  // for the style attributes and <style> blocks of mail in srcdoc frames.
  ['style-src', "'self' 'unsafe-inline'"],
  // data: and blob: carry cid: images resolved from the local store. https:
  // and http: are here only because srcdoc mail frames inherit this policy:
  // the gate for remote images is the mail frame's own CSP (img-src data:
  // until the person allows remote content; renderer/lib/mail-html.ts), and
  // the app's own UI loads no remote images.
  ['img-src', "'self' data: blob: https: http:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  // Nothing is framed by URL: srcdoc frames need no source (see above).
  ['frame-src', "'none'"],
  ['worker-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

export const APP_CONTENT_SECURITY_POLICY = DIRECTIVES.map(([name, value]) => `${name} ${value}`).join('; ');
