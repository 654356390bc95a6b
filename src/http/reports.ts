/**
 * `GET /v1/reports/campaigns/:id`, `/line-items/:id`, `/creatives/:id`: counters from the
 * campaign ledgers over a time range (`from`, `to`; whole UTC hours), as totals or per hour
 * (`granularity=hour`), in JSON or CSV (`format=csv` or `Accept: text/csv`). Campaign reports add
 * the pacing state when the campaign has a budget, and the holdout lift when it has a holdout.
 *
 * Who may read: the admin token only (the app's middleware; unlisted paths are admin-only). There
 * are no advertiser principals yet to scope reports to an advertiser's own campaigns.
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
import type { LedgerReportPart } from '../objects/campaign-ledger';
import { EMPTY_CATALOG, getCatalog } from '../store/catalog-store';
import { pacingLagSec } from '../store/pacing';
import { config } from './config';
import { methodNotAllowed } from './errors';

type HttpContext = Context<{ Bindings: Env }>;

/** Reports are not on the bid path: a cold isolate may wait this long for the catalog. */
const CATALOG_LOAD_MS = 5_000;

export const reports = new Hono<{ Bindings: Env }>();

interface Target {
  readonly campaignId: string;
  readonly dim: string;
  readonly lift: boolean;
}

const KINDS: Record<string, { kind: ReportKind; targets: (catalog: CompiledCatalog, id: string) => Target[] }> = {
  campaigns: {
    kind: 'campaign',
    targets: (catalog, id) => {
      const li = catalog.lineItems.find((l) => l.campaign.id === id);
      return li ? [{ campaignId: id, dim: DIM_CAMPAIGN, lift: li.campaign.holdoutPct > 0 }] : [];
    },
  },
  'line-items': {
    kind: 'lineItem',
    targets: (catalog, id) => {
      const li = catalog.lineItems.find((l) => l.item.id === id);
      return li ? [{ campaignId: li.campaign.id, dim: lineItemDim(id), lift: false }] : [];
    },
  },
  creatives: {
    kind: 'creative',
    targets: (catalog, id) => {
      const campaigns = new Set(catalog.lineItems.filter((l) => l.item.creativeIds.includes(id)).map((l) => l.campaign.id));
      return [...campaigns].map((campaignId) => ({ campaignId, dim: creativeDim(id), lift: false }));
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
  if (targets.length === 0) throw new AppError('not_found', `no ${kind} with this id in the current catalog`);
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
