import { describe, expect, it } from 'vitest';
import { base64WireSize, DEFAULT_WARN_BYTES, estimateMessageSize, sizeVerdict, warnBytes } from '../../../../renderer/lib/message-size.ts';

describe('message size before sending', () => {
  it('counts attachments as base64 with line breaks (about 4/3 and a bit)', () => {
    expect(base64WireSize(3)).toBe(4 + 2);
    expect(base64WireSize(57)).toBe(76 + 2);
    const mib = 1024 * 1024;
    expect(base64WireSize(mib) / mib).toBeGreaterThan(1.35);
    expect(base64WireSize(mib) / mib).toBeLessThan(1.4);
  });

  it('warns before a message the server would refuse, even when its attachments alone are under the limit', () => {
    const limit = 10 * 1024 * 1024;
    const size = estimateMessageSize([8 * 1024 * 1024], 100);
    expect(size).toBeGreaterThan(limit);
    expect(sizeVerdict(size, limit, DEFAULT_WARN_BYTES)).toEqual({ kind: 'over-limit', size, limit });
  });

  it('says a message is large above the warning size when the server names no limit', () => {
    const size = estimateMessageSize([16 * 1024 * 1024], 0);
    expect(sizeVerdict(size, null, DEFAULT_WARN_BYTES).kind).toBe('large');
    expect(sizeVerdict(estimateMessageSize([1024], 10), null, DEFAULT_WARN_BYTES).kind).toBe('ok');
  });

  it('reads the configured warning size, and falls back to 20 MB for nonsense', () => {
    expect(warnBytes({ getItem: () => '5' })).toBe(5 * 1024 * 1024);
    expect(warnBytes({ getItem: () => 'lots' })).toBe(20 * 1024 * 1024);
    expect(warnBytes({ getItem: () => '-3' })).toBe(20 * 1024 * 1024);
    expect(warnBytes({ getItem: () => null })).toBe(20 * 1024 * 1024);
  });
});
