import { describe, expect, it } from 'vitest';
import { routeAccess } from './route-access';

describe('routeAccess', () => {
  it('leaves health checks and tracking links open', () => {
    expect(routeAccess('/healthz')).toEqual({ kind: 'public' });
    expect(routeAccess('/v1/t/abc.def')).toEqual({ kind: 'public' });
  });

  it('leaves the campaign page shell and the API description open, not look-alike paths', () => {
    expect(routeAccess('/ui')).toEqual({ kind: 'public' });
    expect(routeAccess('/ui/app.js')).toEqual({ kind: 'public' });
    expect(routeAccess('/openapi.json')).toEqual({ kind: 'public' });
    expect(routeAccess('/uix')).toMatchObject({ kind: 'protected', allow: ['admin'] });
    expect(routeAccess('/openapi.json/x')).toMatchObject({ kind: 'protected', allow: ['admin'] });
  });

  it('gives the OpenRTB endpoints to exchanges, who may use a URL token', () => {
    expect(routeAccess('/openrtb2/bid')).toEqual({ kind: 'protected', allow: ['exchange', 'admin'], urlToken: true });
    expect(routeAccess('/openrtb2')).toMatchObject({ allow: ['exchange', 'admin'] });
  });

  it('gives decisions and events to publishers, header only', () => {
    for (const path of ['/v1/decisions', '/v1/events', '/v1/events/x']) {
      expect(routeAccess(path)).toEqual({ kind: 'protected', allow: ['publisher', 'admin'], urlToken: false });
    }
  });

  it('gives reports to advertisers, header only', () => {
    for (const path of ['/v1/reports', '/v1/reports/campaigns/cmp-1', '/v1/reports/creatives/cr-1']) {
      expect(routeAccess(path)).toEqual({ kind: 'protected', allow: ['advertiser', 'admin'], urlToken: false });
    }
  });

  it('needs the admin for the admin API, privacy operations and anything unlisted', () => {
    for (const path of ['/v1/admin/catalog', '/v1/users/u-1/opt-out', '/v1/users/u-1', '/', '/v1/reportsX', '/v1/reports-x/y', '/healthz/x', '/v1/t', '/v1/decisionsX', '/openrtb2x/bid']) {
      expect(routeAccess(path)).toEqual({ kind: 'protected', allow: ['admin'], urlToken: false });
    }
  });
});
