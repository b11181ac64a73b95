/**
 * What makes a remote image look like a tracker: a pixel nobody is meant to
 * see (1×1, zero-sized, hidden), or a host that exists to count opens. The
 * list is short on purpose: the big senders' open-tracking hosts, matched as
 * the host itself or any subdomain of it.
 */

export const TRACKING_HOSTS: ReadonlyArray<string> = [
  'list-manage.com', // Mailchimp
  'mcusercontent.com',
  'ct.sendgrid.net',
  'sendgrid.net',
  'mandrillapp.com',
  'mailgun.org',
  'mailtrack.io',
  'mixmax.com',
  'yesware.com',
  'bananatag.com',
  'streak.com',
  'emltrk.com', // Litmus
  'hubspotemail.net',
  'hs-analytics.net',
  'exacttarget.com',
  'sailthru.com',
  'klaviyo.com',
  'customer.io',
  'mktoresp.com', // Marketo
  'eloqua.com',
  'pardot.com',
  'doubleclick.net',
  'google-analytics.com',
  'pixel.wp.com',
  'mailchimp.com',
];

/** Whether the host is (or is a subdomain of) a known tracking host. */
export function isTrackingHost(host: string | null): boolean {
  if (!host) return false;
  const h = host.toLowerCase().replace(/\.$/, '');
  return TRACKING_HOSTS.some((t) => h === t || h.endsWith(`.${t}`));
}

/** A length from an attribute or CSS value in pixels ("1", "1px", "0"); null when not a plain pixel size. */
export function pixelSize(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$/i.exec(value);
  return m ? Number(m[1]) : null;
}

function cssValue(style: string | null, property: string): string | null {
  if (!style) return null;
  const m = new RegExp(`(?:^|;)\\s*${property}\\s*:\\s*([^;]+)`, 'i').exec(style);
  return m?.[1]?.trim() ?? null;
}

export interface ImageFacts {
  host: string | null;
  width: string | null;
  height: string | null;
  style: string | null;
}

/** 1×1 (or smaller), zero in either direction, hidden, or from a tracking host. */
export function looksLikeTracker(img: ImageFacts): boolean {
  if (isTrackingHost(img.host)) return true;
  const w = pixelSize(cssValue(img.style, 'width')) ?? pixelSize(img.width);
  const h = pixelSize(cssValue(img.style, 'height')) ?? pixelSize(img.height);
  if (w === 0 || h === 0) return true;
  if (w !== null && h !== null && w <= 1 && h <= 1) return true;
  const display = cssValue(img.style, 'display');
  const visibility = cssValue(img.style, 'visibility');
  return display?.toLowerCase() === 'none' || visibility?.toLowerCase() === 'hidden';
}
