import { EventPattern } from '@nestjs/microservices';
import {
  WAMP_EXTRAS_KEY,
  WAMP_TRANSPORT,
  type WampHandlerExtras,
} from '../transport/wamp-transport.constants.js';

/**
 * Declares a controller method as the server-side handler of client publications to `topic`, scoped to
 * the WAMP transport. Plain `@EventPattern('topic')` works too; this form also avoids Nest 12's typed
 * `EventPattern` overloads, which reject handlers with a typed `@Ctx()` under `strict`.
 *
 * @example
 * @WampEventPattern('chat.messages')
 * @UseGuards(MembersOnly)
 * onMessage(@Payload() { args }: WampCallPayload, @Ctx() ctx: WampEventContext) { ... }
 */
export function WampEventPattern(
  topic: string,
  options: Omit<WampHandlerExtras, 'subscription'> = {},
): MethodDecorator {
  return EventPattern<string>(topic, WAMP_TRANSPORT, { [WAMP_EXTRAS_KEY]: options }) as MethodDecorator;
}
