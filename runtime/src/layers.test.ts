// The runtime's folders form layers (docs/runtime.md): vocabulary/ at the
// bottom, then storage/ and worker/, then herder/, rest/ and app/ on top. An
// import from a layer above brings back the circle the vocabulary module
// ended (herder <-> worker), so this test reads the sources' imports (type
// imports included, which the compiled JavaScript no longer shows) and fails
// on any cycle between files or between folders.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** runtime/src of the repository (this file runs as dist/runtime/src/layers.test.js). */
const SRC = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../runtime/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('.test-support.') ? [p] : [];
  });
}

/** Relative imports and re-exports of each product file, as paths relative to runtime/src. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'/gms)].map((m) =>
      path.relative(SRC, path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
    );
    graph.set(path.relative(SRC, file), targets);
  }
  return graph;
}

/** The first cycle found (a path that returns to its start), or undefined. */
function findCycle(graph: Map<string, Iterable<string>>): string[] | undefined {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = onPath.indexOf(node);
    if (at >= 0) return [...onPath.slice(at), node];
    if (done.has(node)) return undefined;
    onPath.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    onPath.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

const folderOf = (file: string): string => file.split(path.sep)[0]!.replace(/\.ts$/, '');

describe('runtime layers', () => {
  const files = importGraph();

  it('reads the imports of the runtime sources', () => {
    expect(files.get(path.join('worker', 'worker.ts'))).to.include(path.join('vocabulary', 'task-id.ts'));
  });

  it('has no import cycle between files', () => {
    expect(findCycle(files)).to.equal(undefined);
  });

  it('has no import cycle between folders', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of files)
      for (const target of targets) {
        const [from, to] = [folderOf(file), folderOf(target)];
        if (from === to) continue;
        if (!folders.has(from)) folders.set(from, new Set());
        folders.get(from)!.add(to);
      }
    expect(findCycle(folders)).to.equal(undefined);
  });

  it('keeps vocabulary/ at the bottom: it imports no other folder', () => {
    const outside = [...files]
      .filter(([file]) => folderOf(file) === 'vocabulary')
      .flatMap(([, targets]) => targets.filter((t) => folderOf(t) !== 'vocabulary'));
    expect(outside).to.deep.equal([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['herder', ['worker']],
      ['worker', ['vocabulary', 'herder']],
    ]);
    expect(findCycle(graph)).to.deep.equal(['herder', 'worker', 'herder']);
  });
});
