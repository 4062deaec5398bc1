#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readCatalogFromFile, readCatalogFromRouter, type CatalogSnapshot } from './catalog-reader.js';
import { generateClient } from './client-generator.js';

const USAGE = `Usage:
  nestjs-wamp client --url <ws://host:port/ws> [--realm realm1] [--authid id --ticket secret] --out <file.ts>
  nestjs-wamp client --catalog <catalog.json> --out <file.ts>

Writes a typed TypeScript client (over Autobahn|JS) for a realm's procedures and topics, read from a running
router's reflection procedures (--url) or from a saved WampCatalog.snapshot() (--catalog). Without --out the
module goes to standard output.`;

/** The `nestjs-wamp` command: `client` generates a typed client module. */
async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      catalog: { type: 'string' },
      realm: { type: 'string', default: 'realm1' },
      authid: { type: 'string' },
      ticket: { type: 'string' },
      out: { type: 'string' },
      timeout: { type: 'string', default: '10000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (
    values.help ||
    positionals[0] !== 'client' ||
    (values.url === undefined) === (values.catalog === undefined)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const timeoutMs = Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    process.stderr.write(`--timeout must be a positive number of milliseconds, got "${values.timeout}".\n`);
    return 2;
  }
  let catalog: CatalogSnapshot;
  let source: string;
  if (values.url !== undefined) {
    source = values.url;
    catalog = await readCatalogFromRouter({
      url: values.url,
      realm: values.realm,
      authid: values.authid,
      ticket: values.ticket,
      timeoutMs,
    });
  } else {
    source = values.catalog as string;
    catalog = await readCatalogFromFile(source);
  }
  const module = await generateClient(catalog, { source });
  if (values.out === undefined) process.stdout.write(module);
  else {
    await writeFile(values.out, module);
    process.stderr.write(
      `Wrote ${values.out}: ${catalog.procedures.length} procedures, ${catalog.topics.length} topics of realm "${catalog.realm}".\n`,
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`nestjs-wamp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
