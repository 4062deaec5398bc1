export * from './wamp-arg.decorator.js';
export * from './wamp-argument.options.js';
export * from './wamp-call-payload.interface.js';
export * from './wamp-event-pattern.decorator.js';
export * from './wamp-kwarg.decorator.js';
export * from './wamp-param.decorator.js';
export * from './wamp-procedure.decorator.js';
export * from './wamp-subscription.decorator.js';
export type { ArgumentPipe } from './wamp-argument.binding.js';
