// Flat config: typescript-eslint's recommended rules plus the project's "no any in the public API" rule.
import js from '@eslint/js';
import { dirname, relative, resolve } from 'node:path';
import tseslint from 'typescript-eslint';

/**
 * The layering rule: what each layer of lib/ may import. The core (protocol, serializers, sessions, broker,
 * dealer, auth) knows no framework and no socket library, so it can be published as `nestjs-wamp/core` and
 * reused by any transport or backplane; the WebSocket layer adds `ws` and Node's HTTP server, never Nest.
 */
const LAYERS = [
  { folder: 'lib/core', packages: [], mayImport: ['lib/core'] },
  // What every transport's connection shares (read budget, write coalescing, flow control): no socket library.
  { folder: 'lib/connection', packages: [], mayImport: ['lib/core', 'lib/connection'] },
  { folder: 'lib/websocket', packages: ['ws'], mayImport: ['lib/core', 'lib/connection', 'lib/websocket'] },
  // RawSocket: Node's net and tls only.
  { folder: 'lib/rawsocket', packages: [], mayImport: ['lib/core', 'lib/connection', 'lib/rawsocket'] },
  // The command line (the client generator): ws, and json-schema-to-typescript (an optional peer dependency).
  { folder: 'lib/cli', packages: ['ws', 'json-schema-to-typescript'], mayImport: ['lib/core', 'lib/cli'] },
  // Metrics for Prometheus: only the core and prom-client (an optional peer dependency).
  { folder: 'lib/prometheus', packages: ['prom-client'], mayImport: ['lib/core', 'lib/prometheus'] },
  // Tracing on OpenTelemetry: only the core and @opentelemetry/api (an optional peer dependency).
  { folder: 'lib/opentelemetry', packages: ['@opentelemetry/api'], mayImport: ['lib/core', 'lib/opentelemetry'] },
  // The Redis engine of the backplane: only the core and ioredis (an optional peer dependency).
  { folder: 'lib/redis', packages: ['ioredis'], mayImport: ['lib/core', 'lib/redis'] },
  // The NATS engine: only the core and the nats.js packages (optional peer dependencies).
  {
    folder: 'lib/nats',
    packages: ['@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/kv'],
    mayImport: ['lib/core', 'lib/nats'],
  },
];

const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps lib/core free of Nest, rxjs and ws, and lib/websocket free of Nest.' },
    schema: [],
  },
  create(context) {
    const file = relative(process.cwd(), context.filename);
    const layer = LAYERS.find((entry) => file.startsWith(`${entry.folder}/`));
    if (!layer) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = relative(process.cwd(), resolve(dirname(context.filename), source));
        if (!layer.mayImport.some((folder) => target.startsWith(`${folder}/`))) {
          context.report({
            node,
            message: `${layer.folder} may not import ${target} (outside ${layer.mayImport.join(', ')}).`,
          });
        }
        return;
      }
      const name = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
      if (source.startsWith('node:') || layer.packages.includes(name)) return;
      // Runtime dependencies the core itself is built on.
      // (and the Standard Schema interface contracts are typed with: types only, no code)
      if (['msgpackr', 'cbor-x', '@standard-schema/spec'].includes(name)) return;
      context.report({ node, message: `${layer.folder} may not import the package "${source}".` });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'sample-app/public/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/**/*.ts'],
    plugins: { 'nestjs-wamp': { rules: { layering } } },
    rules: { 'nestjs-wamp/layering': 'error' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
