import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ownSourceMap, type SourceMapV3, trimSourceMapFile } from '../../../infra/bundling.ts';

describe('ownSourceMap', () => {
  it('keeps only the mappings into own sources, renumbered, and ends an own mapping where dependency code starts', () => {
    const sources = ['../src/a.ts', '../node_modules/dep/index.js', '../src/b.ts', 'node_modules/other/x.js'];
    const names = ['foo', 'bar', 'baz', 'qux'];
    // [genColumn, source, line, column, name?], absolute values.
    const mappings: SourceMapMappings = [
      [[0, 0, 0, 0, 0], [5, 1, 3, 2, 1], [10, 2, 1, 0], [15], [20, 2, 2, 4, 2]],
      [
        [0, 1, 0, 0],
        [3, 0, 5, 1, 3],
        [8, 3, 1, 1, 1],
        [12, 3, 2, 2],
        [14, 0, 6, 0, 0],
      ],
      [],
      [[2, 2, 9, 9, 2]],
    ];
    const map: SourceMapV3 = {
      version: 3,
      file: 'index.mjs',
      sources,
      sourcesContent: ['A', 'DEP', 'B', 'OTHER'],
      names,
      mappings: encode(mappings),
    };

    const trimmed = ownSourceMap(map);

    expect(trimmed.version).toBe(3);
    expect(trimmed.file).toBe('index.mjs');
    expect(trimmed.sources).toEqual(['../src/a.ts', '../src/b.ts']);
    expect(trimmed.sourcesContent).toEqual(['A', 'B']);
    // In the order of first use: foo, baz, qux (bar was only used by dependencies).
    expect(trimmed.names).toEqual(['foo', 'baz', 'qux']);
    expect(decode(trimmed.mappings)).toEqual([
      // The dependency's segment at column 5 becomes an unmapped one that ends a.ts's mapping; the original unmapped one at 15 is skipped.
      [[0, 0, 0, 0, 0], [5], [10, 1, 1, 0], [20, 1, 2, 4, 1]],
      // A line that starts in a dependency needs no end marker; consecutive dependency segments give one.
      [[3, 0, 5, 1, 2], [8], [14, 0, 6, 0, 0]],
      [],
      [[2, 1, 9, 9, 1]],
    ]);
  });

  it('leaves sourcesContent out when the map has none, and honours a custom isOwn', () => {
    const map: SourceMapV3 = {
      version: 3,
      sources: ['x.ts', 'y.ts'],
      names: [],
      mappings: encode([
        [
          [0, 0, 0, 0],
          [4, 1, 0, 0],
        ],
      ]),
    };
    const trimmed = ownSourceMap(map, (source) => source === 'y.ts');
    expect(trimmed).not.toHaveProperty('sourcesContent');
    expect(trimmed.sources).toEqual(['y.ts']);
    expect(decode(trimmed.mappings)).toEqual([[[4, 0, 0, 0]]]);
  });

  describe('an esbuild bundle of own code importing a dependency', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundling-test-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const bundle = async () => {
      mkdirSync(join(dir, 'src'), { recursive: true });
      mkdirSync(join(dir, 'node_modules/fake-dep'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/fake-dep/package.json'), JSON.stringify({ name: 'fake-dep', version: '1.0.0', main: 'index.js' }));
      writeFileSync(join(dir, 'node_modules/fake-dep/index.js'), "export function shout(text) {\n  return text.toUpperCase() + '!';\n}\n");
      writeFileSync(
        join(dir, 'src/handler.ts'),
        "import { shout } from 'fake-dep';\n\nexport const handler = (name: string): string => {\n  const greeting = 'hello ' + name;\n  return shout(greeting);\n};\n",
      );
      const result = await build({
        entryPoints: [join(dir, 'src/handler.ts')],
        outfile: join(dir, 'out/index.mjs'),
        absWorkingDir: dir,
        bundle: true,
        format: 'esm',
        platform: 'node',
        minify: true,
        sourcemap: 'external',
        write: false,
        logLevel: 'silent',
      });
      const mapFile = result.outputFiles.find((file) => file.path.endsWith('.map'))!;
      return { path: mapFile.path, map: JSON.parse(mapFile.text) as SourceMapV3 };
    };

    const expectOwnOnly = (trimmed: SourceMapV3) => {
      expect(trimmed.sources).toEqual(['../src/handler.ts']);
      const segments = decode(trimmed.mappings).flat();
      const mapped = segments.filter((segment) => segment.length > 1);
      expect(mapped.length).toBeGreaterThan(0);
      for (const segment of mapped) expect(segment[1]).toBe(0);
      for (const segment of mapped) expect(segment[2]).toBeLessThan(6);
    };

    it('keeps only the own file', async () => {
      const { map } = await bundle();
      expect(map.sources).toEqual(['../node_modules/fake-dep/index.js', '../src/handler.ts']);
      expect(
        decode(map.mappings)
          .flat()
          .some((segment) => segment[1] === 0),
      ).toBe(true);

      expectOwnOnly(ownSourceMap(map));
    });

    it('trimSourceMapFile rewrites the map file the same way', async () => {
      const { path, map } = await bundle();
      mkdirSync(join(dir, 'out'), { recursive: true });
      writeFileSync(path, JSON.stringify(map));
      trimSourceMapFile(path);
      const trimmed = JSON.parse(readFileSync(path, 'utf8')) as SourceMapV3;
      expect(trimmed).toEqual(ownSourceMap(map));
      expectOwnOnly(trimmed);
    });
  });
});
