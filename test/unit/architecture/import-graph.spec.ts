import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shape of lib/: no import cycles (type-only ones included: they are what made the core impossible to
 * split), and a core that can be loaded without Nest (the layering lint rule checks each import; this checks
 * the graph as a whole).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (path.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** Relative imports and re-exports of every file, resolved to files (type-only ones included). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const match of source.matchAll(/(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), match[1]).replace(/\.js$/, '.ts');
      if (known.has(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visited = new Set<string>();
  const visit = (file: string): void => {
    visited.add(file);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (onStack.has(target)) {
        found.push(
          stack
            .slice(stack.indexOf(target))
            .map((entry) => relative(root, entry))
            .join(' -> '),
        );
      } else if (!visited.has(target)) {
        visit(target);
      }
    }
    stack.pop();
    onStack.delete(file);
  };
  for (const file of graph.keys()) if (!visited.has(file)) visit(file);
  return found;
}

describe('lib/ import graph', () => {
  const files = sourceFiles(join(root, 'lib'));
  const graph = importGraph(files);

  it('has no import cycles, type-only imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('reaches nothing outside lib/core from lib/core, and no Nest, rxjs or ws package', () => {
    const core = files.filter((file) => file.startsWith(join(root, 'lib/core/')));
    expect(core.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    for (const file of core) {
      for (const target of graph.get(file) ?? []) {
        if (!target.startsWith(join(root, 'lib/core/')))
          leaks.push(`${relative(root, file)} -> ${relative(root, target)}`);
      }
      for (const match of readFileSync(file, 'utf8').matchAll(
        /from\s*['"](@nestjs\/[^'"]+|rxjs[^'"]*|ws)['"]/g,
      )) {
        leaks.push(`${relative(root, file)} -> ${match[1]}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
