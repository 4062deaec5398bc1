/**
 * The logging the router core needs. Nest's `Logger` satisfies it structurally, so the core stays free of
 * Nest imports while the module hands it a real Nest logger.
 */
export interface WampLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
  debug?(message: string): void;
}
