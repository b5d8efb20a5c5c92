import { describe, expect, it } from 'vitest';
import { liveTopicsFor, VersionGate } from '../../web/console/src/live.ts';
import { classBands } from '../../web/console/src/pareto.ts';

describe('the console (web/console)', () => {
  it('shows a pushed level only when its version is above the last one shown, read or pushed', () => {
    const gate = new VersionGate();
    gate.note({ sku: 'A', locationId: 'S1', version: 5 });
    expect(gate.accept({ sku: 'A', locationId: 'S1', version: 5 })).toBe(false);
    expect(gate.accept({ sku: 'A', locationId: 'S1', version: 4 })).toBe(false);
    expect(gate.accept({ sku: 'A', locationId: 'S1', version: 7 })).toBe(true);
    expect(gate.accept({ sku: 'A', locationId: 'S1', version: 6 })).toBe(false);
    expect(gate.accept({ sku: 'A', locationId: 'S2', version: 1 })).toBe(true);
    // A read older than what a push already showed does not lower the mark.
    gate.note({ sku: 'A', locationId: 'S1', version: 3 });
    expect(gate.accept({ sku: 'A', locationId: 'S1', version: 7 })).toBe(false);
  });

  it('subscribes HQ to every location with wildcards, a store user to its own locations one by one', () => {
    expect(liveTopicsFor('admin', [])).toEqual({ levels: ['stockclub/live/levels/+'], gates: ['stockclub/live/gates/+'] });
    expect(liveTopicsFor('store', ['S1', 'S2'])).toEqual({
      levels: ['stockclub/live/levels/S1', 'stockclub/live/levels/S2'],
      gates: ['stockclub/live/gates/S1', 'stockclub/live/gates/S2'],
    });
  });

  it('shades each ABC class over the share of SKUs its ranks cover', () => {
    const points = (['A', 'A', 'B', 'C', 'C'] as const).map((abcClass, i) => ({ sku: `s${i}`, abcClass, rank: i + 1, cumulativeShare: (i + 1) / 5 }));
    expect(classBands(points)).toEqual([
      { abcClass: 'A', from: 0, to: 0.4 },
      { abcClass: 'B', from: 0.4, to: 0.6 },
      { abcClass: 'C', from: 0.6, to: 1 },
    ]);
    expect(classBands(points.filter((p) => p.abcClass !== 'B')).map((b) => b.abcClass)).toEqual(['A', 'C']);
  });
});
