import ts from 'typescript';
import { generateClient } from '../../../lib/cli/client-generator.js';
import type { CatalogSnapshot } from '../../../lib/cli/catalog-reader.js';
import type { WampProcedureDescription } from '../../../lib/core/index.js';

/**
 * The generator fed a catalog as a hostile server could send it: nothing it says may become code in the generated
 * module, make the generator read a file, or stop the module from compiling.
 */

function procedure(overrides: Partial<WampProcedureDescription>): WampProcedureDescription {
  return {
    uri: 'app.proc',
    match: 'exact',
    callee: 'router',
    registration: 1,
    description: null,
    args_schema: null,
    kwargs_schema: null,
    positional: null,
    result_schema: null,
    progress_schema: null,
    errors: [],
    validator: null,
    ...overrides,
  };
}

function diagnosticsOf(source: string): string[] {
  const file = 'generated.ts';
  const host = ts.createCompilerHost({});
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) =>
    name === file ? ts.createSourceFile(file, source, ts.ScriptTarget.ES2022) : original(name, version);
  const program = ts.createProgram(
    [file],
    { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: [], lib: ['lib.es2022.d.ts'] },
    host,
  );
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/** The top-level statements of the module: only type declarations and the one class may be there. */
function topLevelKinds(source: string): string[] {
  const file = ts.createSourceFile('generated.ts', source, ts.ScriptTarget.ES2022);
  return [...new Set(file.statements.map((statement) => ts.SyntaxKind[statement.kind]))].sort();
}

describe('client generator, fed a hostile catalog', () => {
  it('writes no code from tsType or tsEnumNames, escapes comments, quotes names, and never follows a $ref out', async () => {
    const catalog: CatalogSnapshot = {
      realm: 'realm1',
      procedures: [
        procedure({
          uri: 'app.inject',
          description: 'nice */ export const pwned = 1; /*',
          kwargs_schema: {
            type: 'object',
            properties: {
              c: { tsType: 'string; }\nexport const evil = (globalThis.evil = 1);\ninterface Z {' },
              title: { type: 'string', title: 'Shadow' },
              "q'; export const q = 1; '": { type: 'string' },
              e: { enum: ['a', 'b'], tsEnumNames: ['A = 1 } export const y = 2; enum Q { Z', 'B'] },
            },
          },
          result_schema: { $ref: 'file:///etc/passwd' },
          errors: [{ uri: 'app.error', description: '*/ export const also = 1; /*' }],
        }),
        procedure({ uri: '0.weird-uri.with spaces', description: null }),
        procedure({ uri: 'app.pattern.', match: 'prefix' }),
      ],
      errors: [],
      topics: [
        {
          uri: 'app.topic',
          description: '*/ x',
          args_schema: null,
          kwargs_schema: null,
          handled: false,
          validator: null,
        },
      ],
    };
    // A $ref out of the document is refused, not followed.
    await expect(generateClient(catalog, { source: 'test' })).rejects.toThrow(/file:\/\/\/etc\/passwd/);

    const safe = {
      ...catalog,
      procedures: catalog.procedures.map((entry) => ({ ...entry, result_schema: null })),
    };
    const source = await generateClient(safe, { source: 'test' });
    // Whatever the catalog said sits in comments, string literals and quoted names: the module declares types
    // and one class, and nothing that runs when it is loaded.
    expect(topLevelKinds(source)).toEqual(['ClassDeclaration', 'InterfaceDeclaration']);
    expect(source).toContain('nice *\\/ export const pwned');
    expect(diagnosticsOf(source)).toEqual([]);
    expect(source).toContain('appInject(kwargs: AppInjectKwargs)');
    expect(source).toContain('wamp0WeirdUriWithSpaces(');
    expect(source).not.toContain('app.pattern.');
  });
});

describe('catalog from a file', () => {
  it('reads a saved snapshot, and refuses a file that is not one, naming it', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { readCatalogFromFile } = await import('../../../lib/cli/catalog-reader.js');
    const directory = await mkdtemp(join(tmpdir(), 'nestjs-wamp-catalog-'));
    try {
      const good = join(directory, 'good.json');
      await writeFile(good, JSON.stringify({ realm: 'r', procedures: [] }));
      expect(await readCatalogFromFile(good)).toEqual({ realm: 'r', procedures: [], topics: [], errors: [] });
      const bad = join(directory, 'bad.json');
      await writeFile(bad, JSON.stringify({ realm: 'r', procedures: 'no' }));
      await expect(readCatalogFromFile(bad)).rejects.toThrow(
        `${bad} is not a catalog: expected { realm, procedures: [...], topics: [...] }.`,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
