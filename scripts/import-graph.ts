/**
 * The folder-level import graph of src/: which top-level folders import each
 * other (a pair that does is two floors of the house leaning on each other).
 * Type-only imports count. `npm run import-graph` prints the mutual pairs and
 * the imports behind each; test/architecture/folders.test.ts asserts on it.
 * The files directly under src/ form the folder "(root)", except src/cli.ts,
 * the CLI's entry point, which counts as cli/.
 */
import { join, resolve } from 'node:path';
import madge from 'madge';

const ROOT = resolve(import.meta.dirname, '..');

export interface FolderGraph {
  /** "from>to" → the module imports behind that arrow */
  arrows: Map<string, string[]>;
  /** pairs of folders that import each other, "a<->b" with a < b */
  mutual: string[];
}

export function folderOf(file: string): string {
  const rel = file.replace(/^src\//, '');
  if (rel === 'cli.ts') return 'cli';
  const parts = rel.split('/');
  return parts.length > 1 ? parts[0] : '(root)';
}

export async function folderGraph(): Promise<FolderGraph> {
  const graph = await madge(join(ROOT, 'src'), {
    baseDir: ROOT,
    tsConfig: join(ROOT, 'tsconfig.json'),
    fileExtensions: ['ts'],
    excludeRegExp: [/\.test\.ts$/],
  });
  const arrows = new Map<string, string[]>();
  for (const [from, tos] of Object.entries(graph.obj())) {
    for (const to of tos) {
      const a = folderOf(from);
      const b = folderOf(to);
      if (a === b) continue;
      const key = `${a}>${b}`;
      arrows.set(key, [...(arrows.get(key) ?? []), `${from} -> ${to}`]);
    }
  }
  const mutual = [...arrows.keys()]
    .map((k) => k.split('>'))
    .filter(([a, b]) => a < b && arrows.has(`${b}>${a}`))
    .map(([a, b]) => `${a}<->${b}`)
    .sort();
  return { arrows, mutual };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { arrows, mutual } = await folderGraph();
  const folders = new Set([...arrows.keys()].flatMap((k) => k.split('>')));
  console.log(`${folders.size} folders, ${arrows.size} folder-to-folder arrows, ${mutual.length} pairs importing each other`);
  for (const pair of mutual) {
    const [a, b] = pair.split('<->');
    console.log(`\n${pair}`);
    for (const line of [...arrows.get(`${a}>${b}`)!, ...arrows.get(`${b}>${a}`)!]) console.log(`  ${line}`);
  }
}
