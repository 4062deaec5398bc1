/**
 * nestjs-wamp/terminus: the router as a `@nestjs/terminus` health indicator (an optional peer dependency:
 * `npm install @nestjs/terminus`). Add `WampHealthIndicator` to the providers of the module with your health
 * controller, which imports `TerminusModule`.
 *
 * @example
 * import { WampHealthIndicator } from 'nestjs-wamp/terminus';
 */
export { WampHealthIndicator } from './wamp-health.indicator.js';
