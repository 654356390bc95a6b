import { describe, expect, it } from 'vitest';
import { decisionScope, mayDecideFor, mayReadAdvertiser, ownsSite, parseCredentials, type Principal } from './principals';

const EX_TOKEN = 'exchange-token-0123456789';
const PUB_TOKEN = 'publisher-token-0123456789';
const ADV_TOKEN = 'advertiser-token-0123456789';
const ADMIN = 'admin-token-0123456789ab';

function config(doc: unknown): string {
  return JSON.stringify(doc);
}

describe('parseCredentials', () => {
  it('lists every token with its principal, admin included', () => {
    const r = parseCredentials(
      config({
        exchanges: [{ id: 'ex-1', tokens: [EX_TOKEN], allowUrlToken: true }],
        publishers: [{ id: 'pub-1', tokens: [PUB_TOKEN, `${PUB_TOKEN}-next`], sites: ['News.Example.', '*.blog.example'], placements: ['top'] }],
      }),
      ADMIN,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.credentials.map((c) => [c.token, c.principal.kind, c.principal.id, c.viaUrl])).toEqual([
      [EX_TOKEN, 'exchange', 'ex-1', true],
      [PUB_TOKEN, 'publisher', 'pub-1', false],
      [`${PUB_TOKEN}-next`, 'publisher', 'pub-1', false],
      [ADMIN, 'admin', 'admin', false],
    ]);
    const pub = r.credentials[1]?.principal;
    expect(pub).toMatchObject({ sites: ['news.example', '*.blog.example'], placements: new Set(['top']) });
  });

  it('lists advertisers with the catalog advertisers they own', () => {
    const r = parseCredentials(
      config({ advertisers: [{ id: 'agency-1', tokens: [ADV_TOKEN, `${ADV_TOKEN}-next`], advertiserIds: ['adv-acme', 'adv-nimbus'] }] }),
      undefined,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.credentials.map((c) => [c.token, c.principal.kind, c.principal.id, c.viaUrl])).toEqual([
      [ADV_TOKEN, 'advertiser', 'agency-1', false],
      [`${ADV_TOKEN}-next`, 'advertiser', 'agency-1', false],
    ]);
    expect(r.credentials[0]?.principal).toEqual({ kind: 'advertiser', id: 'agency-1', advertiserIds: new Set(['adv-acme', 'adv-nimbus']) });
  });

  it('reports advertiser schema problems by path, never by value', () => {
    const r = parseCredentials(
      config({
        advertisers: [
          { id: 'bad id!', tokens: ['short-adv'], advertiserIds: ['adv-acme'] },
          { id: 'b', tokens: [ADV_TOKEN], advertiserIds: [] },
          { id: 'c', tokens: [`${ADV_TOKEN}c`], advertiserIds: ['adv-acme'], allowUrlToken: true },
          { id: 'd', tokens: [`${ADV_TOKEN}d`] },
        ],
      }),
      undefined,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // advertisers[2]: an advertiser's token never travels in a URL, so the exchange-only option is an unknown key.
    expect(r.issues.map((i) => i.path)).toEqual([
      'advertisers[0].id',
      'advertisers[0].tokens[0]',
      'advertisers[1].advertiserIds',
      'advertisers[2]',
      'advertisers[3].advertiserIds',
    ]);
    expect(JSON.stringify(r.issues)).not.toContain('short-adv');
    expect(JSON.stringify(r.issues)).not.toContain('bad id!');
  });

  it('refuses an advertiser token shared with an exchange, a publisher or the admin, and duplicate advertiser ids', () => {
    const withExchange = parseCredentials(
      config({ exchanges: [{ id: 'a', tokens: [EX_TOKEN] }], advertisers: [{ id: 'b', tokens: [EX_TOKEN], advertiserIds: ['adv-acme'] }] }),
      undefined,
    );
    expect(withExchange).toEqual({ ok: false, issues: [{ path: 'advertisers[0].tokens[0]', message: 'repeats the token at exchanges[0].tokens[0]' }] });
    const withPublisher = parseCredentials(
      config({ publishers: [{ id: 'p', tokens: [PUB_TOKEN], sites: ['*'] }], advertisers: [{ id: 'b', tokens: [PUB_TOKEN], advertiserIds: ['adv-acme'] }] }),
      undefined,
    );
    expect(withPublisher).toEqual({ ok: false, issues: [{ path: 'advertisers[0].tokens[0]', message: 'repeats the token at publishers[0].tokens[0]' }] });
    const withAdmin = parseCredentials(config({ advertisers: [{ id: 'b', tokens: [ADMIN], advertiserIds: ['adv-acme'] }] }), ADMIN);
    expect(withAdmin).toEqual({ ok: false, issues: [{ path: 'ADMIN_TOKEN', message: 'repeats the token at advertisers[0].tokens[0]' }] });
    const twice = parseCredentials(
      config({
        advertisers: [
          { id: 'b', tokens: [ADV_TOKEN], advertiserIds: ['adv-acme'] },
          { id: 'b', tokens: [`${ADV_TOKEN}x`], advertiserIds: ['adv-nimbus'] },
        ],
      }),
      undefined,
    );
    expect(twice).toEqual({ ok: false, issues: [{ path: 'advertisers[1].id', message: 'another advertiser has this id' }] });
    // Ids are unique per kind: a publisher and an advertiser may both be called "acme".
    const sameIdOtherKind = parseCredentials(
      config({ publishers: [{ id: 'acme', tokens: [PUB_TOKEN], sites: ['*'] }], advertisers: [{ id: 'acme', tokens: [ADV_TOKEN], advertiserIds: ['adv-acme'] }] }),
      undefined,
    );
    expect(sameIdOtherKind.ok).toBe(true);
  });

  it('accepts an absent table (admin only) and an absent admin token', () => {
    expect(parseCredentials(undefined, ADMIN)).toMatchObject({ ok: true, credentials: [{ token: ADMIN }] });
    expect(parseCredentials(config({}), undefined)).toEqual({ ok: true, credentials: [] });
  });

  it('refuses malformed JSON without echoing it', () => {
    const r = parseCredentials('{"exchanges": [secret-stuff', ADMIN);
    expect(r).toEqual({ ok: false, issues: [{ path: 'AUTH_PRINCIPALS', message: 'is not valid JSON' }] });
  });

  it('reports schema problems by path, never by value', () => {
    const r = parseCredentials(
      config({ exchanges: [{ id: 'bad id!', tokens: ['short'] }], publishers: [{ id: 'p', tokens: [PUB_TOKEN], sites: [] }], extra: 1 }),
      ADMIN,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['exchanges[0].id', 'exchanges[0].tokens[0]', 'publishers[0].sites']));
    expect(JSON.stringify(r.issues)).not.toContain('short');
  });

  it('refuses a token shared by two principals, or by the admin and anyone', () => {
    const shared = parseCredentials(
      config({ exchanges: [{ id: 'a', tokens: [EX_TOKEN] }], publishers: [{ id: 'b', tokens: [EX_TOKEN], sites: ['*'] }] }),
      undefined,
    );
    expect(shared).toEqual({ ok: false, issues: [{ path: 'publishers[0].tokens[0]', message: 'repeats the token at exchanges[0].tokens[0]' }] });
    const admin = parseCredentials(config({ publishers: [{ id: 'b', tokens: [ADMIN], sites: ['*'] }] }), ADMIN);
    expect(admin).toEqual({ ok: false, issues: [{ path: 'ADMIN_TOKEN', message: 'repeats the token at publishers[0].tokens[0]' }] });
  });

  it('refuses duplicate ids of one kind', () => {
    const r = parseCredentials(config({ exchanges: [{ id: 'a', tokens: [EX_TOKEN] }, { id: 'a', tokens: [`${EX_TOKEN}x`] }] }), undefined);
    expect(r).toEqual({ ok: false, issues: [{ path: 'exchanges[1].id', message: 'another exchange has this id' }] });
  });

  it('refuses URL tokens that would need percent-encoding', () => {
    const r = parseCredentials(config({ exchanges: [{ id: 'a', tokens: ['abc+def/ghi=jklmnop'], allowUrlToken: true }] }), undefined);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.path).toBe('exchanges[0].tokens');
  });

  it('refuses a short admin token', () => {
    expect(parseCredentials(undefined, 'too-short')).toMatchObject({ ok: false, issues: [{ path: 'ADMIN_TOKEN' }] });
  });
});

describe('ownsSite', () => {
  it('matches domains case-insensitively, ignoring a trailing dot', () => {
    expect(ownsSite(['news.example'], 'NEWS.example.')).toBe(true);
    expect(ownsSite(['news.example'], 'other.example')).toBe(false);
    expect(ownsSite(['news.example'], 'evilnews.example')).toBe(false);
  });

  it('covers subdomains with *. but not the bare domain', () => {
    expect(ownsSite(['*.news.example'], 'm.news.example')).toBe(true);
    expect(ownsSite(['*.news.example'], 'news.example')).toBe(false);
    expect(ownsSite(['*.news.example'], 'evilnews.example')).toBe(false);
  });

  it('needs a site unless the publisher may use any', () => {
    expect(ownsSite(['news.example'], undefined)).toBe(false);
    expect(ownsSite(['news.example'], '  ')).toBe(false);
    expect(ownsSite(['*'], undefined)).toBe(true);
  });
});

describe('decisionScope / mayDecideFor', () => {
  const publisher: Principal = { kind: 'publisher', id: 'p', sites: ['news.example'], placements: new Set(['top', 'side']) };

  it('lets a publisher decide for its own site and placements', () => {
    expect(mayDecideFor(publisher, 'news.example', ['top', 'side'])).toBe(true);
  });

  it('names every field that is not the publisher’s', () => {
    expect(decisionScope(publisher, 'other.example', ['top', 'footer'])).toEqual({
      ok: false,
      issues: [
        { path: 'site.domain', message: 'is not one of your sites' },
        { path: 'placements[1].id', message: 'is not one of your placements' },
      ],
    });
    expect(decisionScope(publisher, undefined)).toEqual({ ok: false, issues: [{ path: 'site.domain', message: 'name one of your sites' }] });
  });

  it('lets a publisher without a placement list use any placement id', () => {
    expect(mayDecideFor({ ...publisher, placements: null }, 'news.example', ['anything'])).toBe(true);
  });

  it('lets the admin decide for anyone and exchanges for no one', () => {
    expect(mayDecideFor({ kind: 'admin', id: 'admin' }, undefined, ['x'])).toBe(true);
    expect(mayDecideFor({ kind: 'exchange', id: 'e' }, 'news.example')).toBe(false);
  });

  it('lets an advertiser decide for no one', () => {
    const advertiser: Principal = { kind: 'advertiser', id: 'a', advertiserIds: new Set(['adv-acme']) };
    expect(decisionScope(advertiser, 'news.example')).toEqual({
      ok: false,
      issues: [{ path: '(root)', message: 'advertisers read reports through /v1/reports' }],
    });
  });
});

describe('mayReadAdvertiser', () => {
  const advertiser: Principal = { kind: 'advertiser', id: 'agency', advertiserIds: new Set(['adv-acme', 'adv-nimbus']) };

  it('lets an advertiser read only its own advertisers, exactly (no prefix or case match)', () => {
    expect(mayReadAdvertiser(advertiser, 'adv-acme')).toBe(true);
    expect(mayReadAdvertiser(advertiser, 'adv-nimbus')).toBe(true);
    expect(mayReadAdvertiser(advertiser, 'adv-northwind')).toBe(false);
    expect(mayReadAdvertiser(advertiser, 'adv-acme-2')).toBe(false);
    expect(mayReadAdvertiser(advertiser, 'ADV-ACME')).toBe(false);
  });

  it('lets the admin read any advertiser, exchanges and publishers none', () => {
    expect(mayReadAdvertiser({ kind: 'admin', id: 'admin' }, 'adv-northwind')).toBe(true);
    expect(mayReadAdvertiser({ kind: 'exchange', id: 'e' }, 'adv-acme')).toBe(false);
    expect(mayReadAdvertiser({ kind: 'publisher', id: 'p', sites: ['*'], placements: null }, 'adv-acme')).toBe(false);
  });
});
