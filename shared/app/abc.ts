import { type AbcClass, classifyAbc, defaultAbcConfig } from '../domain/replenishment/abc.ts';
import { listProducts } from '../db/catalog.ts';
import { annualUnits, latestAbcReport, putAbcReport, setProductAbc } from '../db/replenishment.ts';
import type { AbcReport } from '../schemas/replenishment.ts';

/** Days of history behind the forecast: two four-week periods, so member demand growth can be measured too. */

/**
 * Classifies every product by annual consumption value and writes its class
 * and policy back where it changed; the report keeps the Pareto figures.
 */
export const reclassifyAbc = async (
  products: readonly { sku: string; unitCost: number; abcClass?: AbcClass }[],
  now = new Date().toISOString(),
): Promise<AbcReport> => {
  const inputs = [];
  for (const p of products) inputs.push({ sku: p.sku, annualUnits: await annualUnits(p.sku, now), unitCost: p.unitCost });
  const result = classifyAbc(inputs, defaultAbcConfig);
  const before = new Map(products.map((p) => [p.sku, p.abcClass]));
  let changed = 0;
  for (const entry of result.entries) {
    const was = before.get(entry.sku);
    await setProductAbc(entry, now);
    if (was !== entry.abcClass) changed++;
  }
  const report: AbcReport = { classifiedAt: now, totalValue: result.totalValue, skus: result.entries.length, changed, pareto: result.pareto };
  await putAbcReport(report);
  return report;
};

/** The weekly job: every product of the catalogue, classified in one pass. */
export const reclassifyCatalogue = async (now = new Date().toISOString()): Promise<AbcReport> => {
  const products = [];
  let cursor: string | undefined;
  do {
    const page = await listProducts(100, cursor);
    products.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return reclassifyAbc(products, now);
};

/** `GET /analytics/abc`: a page of classified products with the last report's Pareto figures. */
export const abcAnalysis = async (query: { limit: number; cursor?: string }) => {
  const [report, page] = await Promise.all([latestAbcReport(), listProducts(query.limit, query.cursor)]);
  const items = page.items.flatMap((p) => (p.abcClass && p.abc ? [{ sku: p.sku, abcClass: p.abcClass, ...p.abc }] : []));
  return { ...(report ? { report } : {}), items, ...(page.cursor ? { cursor: page.cursor } : {}) };
};
