// POSTERN_DISCOVERY_DNS: a bad value is a clear error, not a silent fall-back
// to the system's resolver (which would send the questions elsewhere); and
// the domain an exchanger's owner registered, for its ISPDB entry.
import { describe, expect, it } from 'vitest';
import { discoveryNetworkFromEnv, registeredDomain } from '../../../../src-protocol/accounts/discover.ts';

describe('discoveryNetworkFromEnv', () => {
  it('uses the system resolver when unset or blank', () => {
    expect(discoveryNetworkFromEnv({})).toEqual({});
    expect(discoveryNetworkFromEnv({ POSTERN_DISCOVERY_DNS: '  ' })).toEqual({});
  });

  it('takes IPv4 servers with optional ports', () => {
    const o = discoveryNetworkFromEnv({ POSTERN_DISCOVERY_DNS: '127.0.0.1:5353, 10.0.0.1' });
    expect(typeof o.lookup).toBe('function');
    expect((o.dns as unknown as { getServers(): string[] }).getServers()).toEqual(['127.0.0.1:5353', '10.0.0.1']);
  });

  it('refuses anything else with BAD_INPUT, naming the variable', () => {
    for (const bad of ['dns.example.com', '127.0.0.1:port', '::1', '127.0.0.1;rm']) {
      expect(() => discoveryNetworkFromEnv({ POSTERN_DISCOVERY_DNS: bad }), bad).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('POSTERN_DISCOVERY_DNS') }));
    }
  });
});

describe('registeredDomain', () => {
  it("is an exchanger's last two labels, or three under a country's second level", () => {
    expect(registeredDomain('mx1.hostingco.test')).toBe('hostingco.test');
    expect(registeredDomain('mx.provider.de')).toBe('provider.de');
    expect(registeredDomain('mx1.provider.co.uk')).toBe('provider.co.uk');
    expect(registeredDomain('mail.isp.com.au')).toBe('isp.com.au');
    expect(registeredDomain('provider.co')).toBe('provider.co');
  });
});
