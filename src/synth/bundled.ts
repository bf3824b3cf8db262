import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The scenario dumps shipped in dumps/ (folders with a scenario.yaml; `_` folders are shared parts). */
export interface BundledScenario {
  name: string;
  dir: string;
  /** First line of its README, for menus. */
  title: string;
}

export function dumpsDir(): string {
  // dist/synth/bundled.js or src/synth/bundled.ts → <repo>/dumps
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../dumps');
}

export function bundledScenarios(root = dumpsDir()): BundledScenario[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && existsSync(join(root, e.name, 'scenario.yaml')))
    .map((e) => {
      const dir = join(root, e.name);
      const readme = join(dir, 'README.md');
      const first = existsSync(readme) ? readFileSync(readme, 'utf8').split('\n')[0].replace(/^#\s*/, '') : e.name;
      const title = first.startsWith(`${e.name}:`) ? first.slice(e.name.length + 1).trim() : first;
      return { name: e.name, dir, title };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}
