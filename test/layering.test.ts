/**
 * The layering rule of ../shared/DESIGN.md, enforced: imports point down the stack, never up,
 * and nothing below views/ imports ink or react. Type-only imports count too (they are the
 * coupling the rule is about), except that format/ may read the result types commands declare
 * (commands return data; format renders it).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ORDER = ['util', 'dump', 'arch', 'memory', 'debuginfo', 'kernel', 'synth', 'commands', 'format', 'session', 'state', 'views'];
const TOP = new Set(['cli.tsx', 'cli-args.ts', 'tui.tsx', 'version.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}
const layerOf = (file: string) => relative('src', file).split('/')[0];

describe('layering', () => {
  const all = files('src');
  it('nothing below views/ imports ink or react', () => {
    const bad = all.filter((f) => !['views', 'state'].includes(layerOf(f)) && !TOP.has(relative('src', f)) && /from ['"](ink|react)['"]/.test(readFileSync(f, 'utf8')));
    expect(bad).toEqual([]);
  });
  it('state/ uses react hooks but not ink', () => {
    const bad = all.filter((f) => layerOf(f) === 'state' && /from ['"](ink)['"]/.test(readFileSync(f, 'utf8')));
    expect(bad).toEqual([]);
  });
  it('imports point down the layer list', () => {
    const bad: string[] = [];
    for (const f of all) {
      const from = layerOf(f);
      if (TOP.has(relative('src', f))) continue;
      for (const m of readFileSync(f, 'utf8').matchAll(/from ['"](\.[^'"]+)['"]/g)) {
        const target = relative('src', resolve(dirname(f), m[1]));
        const to = target.split('/')[0];
        if (to === from || TOP.has(target.replace(/\.js$/, '.ts'))) continue;
        const ok = ORDER.indexOf(to) <= ORDER.indexOf(from) || (from === 'format' && target === 'commands/result.js');
        if (!ok) bad.push(`${relative('src', f)} → ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
