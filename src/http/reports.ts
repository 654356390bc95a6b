/**
 * `GET /v1/reports/campaigns/:id`, `/line-items/:id`, `/creatives/:id`: counters from the
 * campaign ledgers over a time range (`from`, `to`; whole UTC hours), as totals or per hour
 * (`granularity=hour`), in JSON or CSV (`format=csv` or `Accept: text/csv`). Campaign reports add
 * the pacing state when the campaign has a budget, and the holdout lift when it has a holdout.
 *
 * Who may read: the admin (any report) and advertiser principals (route-access.ts), who only see
 * campaigns of their own catalog advertisers — and the line items and creatives in them. That
 * check needs the catalog, so it is made here, after the id is resolved and before any ledger is
 * read. Someone else's id answers 404 exactly like an unknown id, not 403: a 403 would confirm
 * that a rival's campaign, line item or creative exists, and ids often carry names
 * (`cmp-acme-retargeting`), so the difference would let an advertiser probe a competitor's plans.
 *
 * Ids are resolved through the current catalog (a creative may serve in several campaigns: its
 * report sums every ledger it appears in), so an id the catalog does not know is a 404 and no
 * request can create ledger objects for arbitrary names.
 */
import { Hono, type Context } from 'hono';
import type { CompiledCatalog } from '../core/catalog/compile';
import { creativeDim, DIM_CAMPAIGN, lineItemDim } from '../core/ledger/counters';
import { reportCsv } from '../core/ledger/csv';
import { lift } from '../core/ledger/lift';
import { buildReport, parseReportQuery, type ReportKind, type ReportQuery } from '../core/ledger/report';
import { AppError } from '../core/errors';
import { mayReadAdvertiser } from '../core/security/principals';
import type { LedgerReportPart } from '../objects/campaign-ledger';
import { EMPTY_CATALOG, getCatalog } from '../store/catalog-store';
import { pacingLagSec } from '../store/pacing';
import { principalOf } from './auth';
import { config } from './config';
import { methodNotAllowed } from './errors';

type HttpContext = Context<{ Bindings: Env }>;

/** Reports are not on the bid path: a cold isolate may wait this long for the catalog. */
const CATALOG_LOAD_MS = 5_000;

export const reports = new Hono<{ Bindings: Env }>();

interface Target {
  readonly campaignId: string;
  /** The campaign's advertiser: what an advertiser principal's scope is checked against. */
  readonly advertiserId: string;
  readonly dim: string;
  readonly lift: boolean;
}

const KINDS: Record<string, { kind: ReportKind; targets: (catalog: CompiledCatalog, id: string) => Target[] }> = {
  campaigns: {
    kind: 'campaign',
    targets: (catalog, id) => {
      const li = catalog.lineItems.find((l) => l.campaign.id === id);
      return li ? [{ campaignId: id, advertiserId: li.campaign.advertiserId, dim: DIM_CAMPAIGN, lift: li.campaign.holdoutPct > 0 }] : [];
    },
  },
  'line-items': {
    kind: 'lineItem',
    targets: (catalog, id) => {
      const li = catalog.lineItems.find((l) => l.item.id === id);
      return li ? [{ campaignId: li.campaign.id, advertiserId: li.campaign.advertiserId, dim: lineItemDim(id), lift: false }] : [];
    },
  },
  creatives: {
    kind: 'creative',
    targets: (catalog, id) => {
      const campaigns = new Map(catalog.lineItems.filter((l) => l.item.creativeIds.includes(id)).map((l) => [l.campaign.id, l.campaign.advertiserId]));
      return [...campaigns].map(([campaignId, advertiserId]) => ({ campaignId, advertiserId, dim: creativeDim(id), lift: false }));
    },
  },
};

for (const [path, spec] of Object.entries(KINDS)) {
  reports.get(`/${path}/:id`, (c) => report(c, spec.kind, spec.targets, c.req.param('id')));
  reports.all(`/${path}/:id`, methodNotAllowed('GET'));
}

async function report(c: HttpContext, kind: ReportKind, targetsOf: (catalog: CompiledCatalog, id: string) => Target[], id: string): Promise<Response> {
  const nowMs = Date.now();
  const parsed = parseReportQuery(c.req.query(), c.req.header('accept'), nowMs);
  if (!parsed.ok) throw new AppError('invalid_request', 'report parameters are invalid', parsed.issues);
  const query = parsed.value;
  const catalog = await getCatalog(c.env, (p) => { c.executionCtx.waitUntil(p); }, nowMs, {
    refreshSec: config(c.env).catalogRefreshSec,
    coldLoadMs: CATALOG_LOAD_MS,
  });
  if (catalog === EMPTY_CATALOG) throw new AppError('catalog_unavailable', 'the catalog could not be loaded; try again');
  const targets = targetsOf(catalog, id);
  // Every target must be the caller's: a creative belongs to one advertiser, so a mix cannot be
  // legitimate, and refusing it whole never leaks part of someone else's figures.
  const principal = principalOf(c);
  if (targets.length === 0 || !targets.every((t) => mayReadAdvertiser(principal, t.advertiserId))) {
    throw new AppError('not_found', `no ${kind} with this id in the current catalog`);
  }
  const parts = await Promise.all(targets.map((t) => ledgerPart(c.env, t, query)));
  const first = parts[0];
  const body = buildReport({
    kind,
    id,
    currency: catalog.currency,
    query,
    rows: parts.flatMap((p) => p.rows),
    ...(kind === 'campaign' && first?.lift ? { lift: lift(first.lift.exposed, first.lift.holdout) } : {}),
    ...(kind === 'campaign' && first?.pacing ? { pacing: first.pacing } : {}),
  });
  c.header('Cache-Control', 'no-store');
  if (query.format === 'csv') {
    return c.body(reportCsv(body), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${kind}-report.csv"`,
    });
  }
  return c.json(body);
}

function ledgerPart(env: Env, t: Target, q: ReportQuery): Promise<LedgerReportPart> {
  const stub = env.CAMPAIGN_LEDGER.get(env.CAMPAIGN_LEDGER.idFromName(t.campaignId));
  return stub.report({ fromMs: q.fromMs, toMs: q.toMs, dim: t.dim, lift: t.lift, lagSec: pacingLagSec(env) });
}
