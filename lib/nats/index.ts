/**
 * `nestjs-wamp/nats`: the NATS engine of the backplane, for apps that run as several instances behind a load
 * balancer. Needs the optional peer dependencies `@nats-io/transport-node`, `@nats-io/jetstream` and
 * `@nats-io/kv` (3), and a server with JetStream.
 *
 * @example
 * import { NatsBackplane } from 'nestjs-wamp/nats';
 * WampModule.forRoot({ backplane: new NatsBackplane({ servers: 'nats://127.0.0.1:4222' }) })
 */
export { NatsBackplane } from './nats-backplane.js';
export type { NatsBackplaneOptions } from './nats-backplane.options.js';
