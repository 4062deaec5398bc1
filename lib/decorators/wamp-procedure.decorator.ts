import { applyDecorators } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  WAMP_EXTRAS_KEY,
  WAMP_TRANSPORT,
  type WampHandlerExtras,
} from '../transport/wamp-transport.constants.js';

/**
 * Declares a controller method as the WAMP procedure `uri`, scoped to the WAMP transport (so no other
 * transport serves it), optionally only in some realms. Plain `@MessagePattern('uri')` works too; this is
 * the explicit form.
 *
 * @example
 * @WampProcedure('docs.get_document', { realm: 'realm1' })
 * getDocument(@WampParam('document_id') id: string) { ... }
 */
export function WampProcedure(uri: string, options: WampHandlerExtras = {}): MethodDecorator {
  return applyDecorators(MessagePattern(uri, WAMP_TRANSPORT, { [WAMP_EXTRAS_KEY]: options }));
}
