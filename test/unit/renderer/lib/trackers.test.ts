import { describe, expect, it } from 'vitest';
import { isTrackingHost, looksLikeTracker, pixelSize } from '../../../../renderer/lib/trackers.ts';

const img = (o: Partial<{ host: string | null; width: string | null; height: string | null; style: string | null }>) => ({
  host: 'images.example.com', width: null, height: null, style: null, ...o,
});

describe('trackers', () => {
  it('knows tracking hosts and their subdomains, not look-alikes', () => {
    expect(isTrackingHost('list-manage.com')).toBe(true);
    expect(isTrackingHost('us5.list-manage.com')).toBe(true);
    expect(isTrackingHost('notlist-manage.com')).toBe(false);
    expect(isTrackingHost(null)).toBe(false);
  });

  it('reads pixel sizes from attributes and CSS', () => {
    expect(pixelSize('1')).toBe(1);
    expect(pixelSize('1px')).toBe(1);
    expect(pixelSize('100%')).toBeNull();
    expect(pixelSize(null)).toBeNull();
  });

  it('calls 1×1, zero-sized and hidden images trackers', () => {
    expect(looksLikeTracker(img({ width: '1', height: '1' }))).toBe(true);
    expect(looksLikeTracker(img({ width: '0' }))).toBe(true);
    expect(looksLikeTracker(img({ style: 'width:1px;height:1px' }))).toBe(true);
    expect(looksLikeTracker(img({ style: 'display: none' }))).toBe(true);
    expect(looksLikeTracker(img({ host: 'ct.sendgrid.net', width: '600', height: '200' }))).toBe(true);
  });

  it('does not call ordinary pictures trackers', () => {
    expect(looksLikeTracker(img({ width: '300', height: '80' }))).toBe(false);
    expect(looksLikeTracker(img({}))).toBe(false);
    expect(looksLikeTracker(img({ width: '1', height: '200' }))).toBe(false);
  });
});
