import type { WampLogger } from '../router/wamp-logger.interface.js';

/**
 * Where a backplane engine reports connection problems when the application gives it no logger: the console.
 * Engines are made before the Nest app (in `forRoot`'s options), so Nest's logger is not theirs to take.
 */
export const engineConsoleLogger: WampLogger = {
  log: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, trace) => console.error(message, trace ?? ''),
};
