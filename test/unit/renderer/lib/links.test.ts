import { describe, expect, it } from 'vitest';
import { hostOf, hostShownIn, misleadingTarget } from '../../../../renderer/lib/links.ts';

describe('link targets', () => {
  it('reads the host of http(s) links only', () => {
    expect(hostOf('https://Shop.Example.com/sale?x=1')).toBe('shop.example.com');
    expect(hostOf('mailto:a@example.com')).toBeNull();
    expect(hostOf('not a url')).toBeNull();
  });

  it('sees a host in text that looks like a URL or a host name, not in ordinary words', () => {
    expect(hostShownIn('https://www.mybank.example/login')).toBe('www.mybank.example');
    expect(hostShownIn('www.mybank.example')).toBe('www.mybank.example');
    expect(hostShownIn(' paypal.com/signin. ')).toBe('paypal.com');
    expect(hostShownIn('Click here')).toBeNull();
    expect(hostShownIn('Read more…')).toBeNull();
    expect(hostShownIn('alice@example.com')).toBeNull();
    expect(hostShownIn('mailto:alice@example.com')).toBeNull();
    expect(hostShownIn('v1.2')).toBeNull();
  });

  it('marks a link whose text shows another host than it goes to', () => {
    expect(misleadingTarget('www.mybank.example', 'http://evil.example.net/login')).toBe('evil.example.net');
    expect(misleadingTarget('paypal.com', 'https://paypal.com.evil.example/')).toBe('paypal.com.evil.example');
  });

  it('does not mark the same host, with or without www, or a subdomain of the host shown', () => {
    expect(misleadingTarget('example.com', 'https://www.example.com/x')).toBeNull();
    expect(misleadingTarget('www.example.com', 'https://example.com/')).toBeNull();
    expect(misleadingTarget('example.com', 'https://click.example.com/track?id=1')).toBeNull();
    expect(misleadingTarget('Read more', 'https://anywhere.example/')).toBeNull();
  });
});
