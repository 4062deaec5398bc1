/**
 * `nestjs-wamp/redis`: the Redis engine of the backplane, for apps that run as several instances behind a load
 * balancer. Needs the optional peer dependency `ioredis` (5 or 6).
 *
 * @example
 * import { RedisBackplane } from 'nestjs-wamp/redis';
 * WampModule.forRoot({ backplane: new RedisBackplane({ url: 'redis://127.0.0.1:6379' }) })
 */
export { RedisBackplane } from './redis-backplane.js';
export type { RedisBackplaneOptions } from './redis-backplane.options.js';
