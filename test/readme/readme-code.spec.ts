import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { readmeTypeScriptBlocks } from '../support/readme-blocks.js';

/**
 * Every TypeScript block of the README compiles against the library, so the Quickstart and the examples
 * cannot drift from the API. Each block is a file of an app (its first line is `// src/<file>.ts`); a block
 * marked `// src/<file>.ts (<variant>)` replaces that file in a variant of the app (Fastify, standalone,
 * forRootAsync). All of them are type-checked under `strict`, as an ESM app with `module: nodenext`; the
 * consumer tests (npm run test:consumers) also build the Quickstart as CommonJS, on Nest 11 and 12.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FILE_LINE = /^\/\/ (src\/[\w./-]+\.ts)(?: \(([\w-]+)\))?(?::.*)?$/;

interface ReadmeBlock {
  readonly line: number;
  readonly path: string;
  readonly variant?: string;
  readonly code: string;
}

describe('README code', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks: ReadmeBlock[] = readmeTypeScriptBlocks(readme).map(({ line, code }) => {
    const first = FILE_LINE.exec(code.split('\n')[0]);
    if (!first) throw new Error(`README.md:${line}: a TypeScript block must start with "// src/<file>.ts"`);
    return { line, path: first[1], variant: first[2], code };
  });

  it('has its Quickstart and examples as files of an app', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const base = blocks.filter((block) => block.variant === undefined).map((block) => block.path);
    expect(base).toEqual(
      expect.arrayContaining(['src/main.ts', 'src/app.module.ts', 'src/docs.controller.ts']),
    );
    expect(new Set(base).size).toBe(base.length);
  });

  it('compiles every block under strict TypeScript against the library', () => {
    const outDir = join(root, 'test/readme/.compiled');
    rmSync(outDir, { recursive: true, force: true });
    const base = blocks.filter((block) => block.variant === undefined);
    const variants = [...new Set(blocks.flatMap((block) => (block.variant ? [block.variant] : [])))];
    const files: string[] = [];
    const origin = new Map<string, number>();
    const write = (app: string, block: ReadmeBlock): void => {
      const file = join(outDir, app, block.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, block.code);
      files.push(file);
      origin.set(file, block.line);
    };
    for (const block of base) write('app', block);
    for (const variant of variants) {
      const replaced = blocks.filter((block) => block.variant === variant);
      for (const block of base)
        if (!replaced.some((other) => other.path === block.path)) write(variant, block);
      for (const block of replaced) write(variant, block);
    }
    try {
      const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        // The app imports the package by name; here it is the library's source.
        paths: {
          'nestjs-wamp': [join(root, 'lib/index.ts')],
          'nestjs-wamp/core': [join(root, 'lib/core/index.ts')],
          'nestjs-wamp/redis': [join(root, 'lib/redis/index.ts')],
          'nestjs-wamp/nats': [join(root, 'lib/nats/index.ts')],
          'nestjs-wamp/prometheus': [join(root, 'lib/prometheus/index.ts')],
          'nestjs-wamp/opentelemetry': [join(root, 'lib/opentelemetry/index.ts')],
          'nestjs-wamp/terminus': [join(root, 'lib/terminus/index.ts')],
        },
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .filter(
          (diagnostic) => diagnostic.file === undefined || files.includes(resolve(diagnostic.file.fileName)),
        )
        .map((diagnostic) => {
          const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
          if (!diagnostic.file || diagnostic.start === undefined) return message;
          const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
          const file = resolve(diagnostic.file.fileName);
          return `README.md:${(origin.get(file) ?? 0) + line} (${file.slice(outDir.length + 1)}): ${message}`;
        });
      expect(problems).toEqual([]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
