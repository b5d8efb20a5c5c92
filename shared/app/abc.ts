/**
 * ABC use-cases: the classification (weekly schedule, and on demand by HQ
 * over `POST /analytics/abc/runs`) and the analysis report. The
 * configuration in force is the one the last full run used: a run that sets
 * a new one keeps it for the scheduled runs after it.
 */
import { type AbcClass, type AbcConfig, checkAbcConfig, classifyAbc, defaultAbcConfig } from '../domain/replenishment/abc.ts';
import { ValidationFailed } from '../domain/errors.ts';
import { mapLimited } from '../concurrency.ts';
import { logger } from '../observability.ts';
import { getProducts, listProducts } from '../db/catalog.ts';
import { annualUnits, latestAbcReport, putAbcReport, setProductAbc } from '../db/replenishment.ts';
import { AbcConfigSchema } from '../schemas/abc.ts';
import type { AbcReport } from '../schemas/replenishment.ts';
import { nowIso } from '../clock.ts';

/** Annual-unit queries in flight at once. */
const queryConcurrency = 8;

export type AbcRunReport = AbcReport & { config: AbcConfig };

/** The configuration the last full run used, else the defaults (a stored one that no longer validates is logged and ignored). */
export const abcConfigInForce = async (): Promise<AbcConfig> => {
  const stored = (await latestAbcReport())?.config;
  if (!stored) return defaultAbcConfig;
  const parsed = AbcConfigSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  logger.warn('Stored ABC configuration is not valid; using the defaults', { issues: parsed.error.issues.map((i) => i.path.join('.')) });
  return defaultAbcConfig;
};

/**
 * Classifies the products by annual consumption value and writes each one's
 * class and policy (every time, so a changed policy reaches products whose
 * class did not change). `report: false` leaves the catalogue's report and
 * the configuration in force alone (a trial over some SKUs).
 */
export const reclassifyAbc = async (
  products: readonly { sku: string; unitCost: number; abcClass?: AbcClass }[],
  now = nowIso(),
  config: AbcConfig = defaultAbcConfig,
  options: { report?: boolean } = {},
): Promise<AbcRunReport> => {
  checkAbcConfig(config);
  const inputs = await mapLimited(products, queryConcurrency, async (p) => ({ sku: p.sku, annualUnits: await annualUnits(p.sku, now), unitCost: p.unitCost }));
  const result = classifyAbc(inputs, config);
  const before = new Map(products.map((p) => [p.sku, p.abcClass]));
  let changed = 0;
  await mapLimited(result.entries, queryConcurrency, async (entry) => {
    await setProductAbc(entry, now);
    if (before.get(entry.sku) !== entry.abcClass) changed++;
  });
  const report: AbcRunReport = { classifiedAt: now, totalValue: result.totalValue, skus: result.entries.length, changed, pareto: result.pareto, config };
  if (options.report !== false) await putAbcReport(report);
  return report;
};

const allProducts = async () => {
  const products = [];
  let cursor: string | undefined;
  do {
    const page = await listProducts(100, cursor);
    products.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return products;
};

/** The weekly job: every product of the catalogue, classified in one pass with the configuration in force. */
export const reclassifyCatalogue = async (now = nowIso(), config?: AbcConfig): Promise<AbcRunReport> =>
  reclassifyAbc(await allProducts(), now, config ?? (await abcConfigInForce()), { report: true });

/**
 * `POST /analytics/abc/runs` (admin): classify now. With `config`, that
 * configuration is checked (a missing field or a negative value is a 400
 * naming it) and stays in force; with `skus`, only those products are
 * ranked among themselves (a trial on a range): their classes are written,
 * the catalogue's report and configuration are not.
 */
export const runAbcClassification = async (input: { config?: AbcConfig; skus?: readonly string[] }, now = nowIso()): Promise<AbcRunReport> => {
  const config = input.config ? checkAbcConfig(input.config) : await abcConfigInForce();
  if (!input.skus) return reclassifyCatalogue(now, config);
  const products = await getProducts([...new Set(input.skus)]);
  const found = new Set(products.map((p) => p.sku));
  const unknown = input.skus.findIndex((sku) => !found.has(sku));
  if (unknown >= 0) throw new ValidationFailed(`Product ${input.skus[unknown]} does not exist`, [{ path: `body.skus.${unknown}`, message: 'unknown SKU' }]);
  return reclassifyAbc(products, now, config, { report: false });
};

/** `GET /analytics/abc`: a page of classified products with the last report's Pareto figures. */
export const abcAnalysis = async (query: { limit: number; cursor?: string }) => {
  const [report, page] = await Promise.all([latestAbcReport(), listProducts(query.limit, query.cursor)]);
  const items = page.items.flatMap((p) => (p.abcClass && p.abc ? [{ sku: p.sku, abcClass: p.abcClass, ...p.abc }] : []));
  return { ...(report ? { report } : {}), items, ...(page.cursor ? { cursor: page.cursor } : {}) };
};
