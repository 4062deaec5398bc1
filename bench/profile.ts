/**
 * `npm run bench:profile -- <server variant> [clients x in flight] [protocol]`: runs one benchmark server
 * (bench/server.ts) under `node --cpu-prof` while the load generator drives it (2 s warm-up, 8 s measured),
 * then prints where the server's CPU went during the measured window: the top functions by self time and
 * the self time per package (node_modules package, `lib/<folder>` for this library, or V8/Node internals).
 * The .cpuprofile is kept (path printed) for Chrome DevTools or speedscope.
 *
 * Example: npm run bench:profile -- wamp-pipeline 100x10 wamp-json
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadSpec, Protocol } from './load.js';
import { NODE_ARGS, start, startServer } from './processes.js';

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const WARMUP_MS = 2000;
const MEASURE_MS = 8000;

/** Where a function lives: `lib/<folder>`, the npm package, a `node:` module, or `(v8)` for natives. */
function ownerOf(url: string): string {
  if (url === '') return '(v8 / native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const lib = url.indexOf('/lib/');
  if (url.startsWith('file://') && lib >= 0) return `nestjs-wamp lib/${url.slice(lib + 5).split('/')[0]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\/.*\/bench\//, 'bench/');
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const lib = url.indexOf('/lib/');
  return lib >= 0 ? url.slice(lib + 1) : url;
}

function report(profile: CpuProfile, windowStart: number, windowEnd: number): string {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  let time = profile.startTime;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (time < windowStart || time > windowEnd) continue;
    const frame = nodes.get(profile.samples[index]!)!.callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    const owner = frame.url === '' ? frame.functionName || '(v8 / native)' : ownerOf(frame.url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + delta);
    total += delta;
  }
  const percent = (value: number): string => `${((100 * value) / total).toFixed(1).padStart(5)}%`;
  const top = (map: Map<string, number>, count: number): string[] =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, value]) => `${percent(value)}  ${name}`);
  return [
    `self time over the measured window (${(total / 1000).toFixed(0)} ms of samples):`,
    '',
    'by package:',
    ...top(byOwner, 20),
    '',
    'top functions:',
    ...top(byFunction, 30),
  ].join('\n');
}

async function main(): Promise<void> {
  const [variant = 'wamp-pipeline', shape = '100x10', protocol = 'wamp-json'] = process.argv.slice(2);
  const [clients, inflight] = shape.split('x').map(Number);
  const directory = mkdtempSync(join(tmpdir(), 'nestjs-wamp-profile-'));
  const server = await startServer('bench/server.ts', variant, ['--cpu-prof', `--cpu-prof-dir=${directory}`]);
  const path = variant.startsWith('wamp') ? '/ws' : '';
  const spec: LoadSpec = {
    url: `ws://127.0.0.1:${server.port}${path}`,
    protocol: protocol as Protocol,
    clients: clients ?? 100,
    inflight: inflight ?? 10,
    warmupMs: WARMUP_MS,
    measureMs: MEASURE_MS,
  };
  const generator = start(1, [...NODE_ARGS, 'bench/load.ts', JSON.stringify(spec)]);
  let output = '';
  generator.stdout!.setEncoding('utf8').on('data', (data: string) => (output += data));
  await new Promise((resolve) => generator.once('exit', resolve));
  console.log(`${variant} ${shape} ${protocol}: ${output.trim().split('\n').pop()}`);
  // Closing stdin lets the server exit normally, which is when Node writes the profile.
  server.child.stdin!.end();
  await new Promise((resolve) => server.child.once('exit', resolve));
  // The ESM loader's worker thread writes a profile of its own: the server's main thread is the largest.
  const file = readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(directory, name))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!file) throw new Error(`no profile written in ${directory}`);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // The measured window: the last MEASURE_MS before the generator ended, less a margin at both ends.
  const windowEnd = profile.endTime - 1_500_000;
  console.log(`profile: ${file}\n`);
  console.log(report(profile, windowEnd - (MEASURE_MS - 1000) * 1000, windowEnd));
}

setTimeout(() => process.exit(3), 120_000).unref();
main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
