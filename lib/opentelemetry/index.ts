/**
 * nestjs-wamp/opentelemetry: the router's spans on OpenTelemetry (`@opentelemetry/api`, an optional peer
 * dependency: `npm install @opentelemetry/api`, plus the SDK your app registers).
 *
 * @example
 * import { OpenTelemetryWampTracing } from 'nestjs-wamp/opentelemetry';
 * WampModule.forRoot({ realms: ['realm1'], tracing: new OpenTelemetryWampTracing() });
 */
export {
  OpenTelemetryWampTracing,
  type OpenTelemetryWampTracingOptions,
} from './opentelemetry-wamp-tracing.js';
