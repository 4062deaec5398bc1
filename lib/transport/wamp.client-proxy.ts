import { Injectable } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { WampRouter } from '../core/router/wamp-router.js';
import { WampPublisher } from './wamp.publisher.js';

/**
 * A Nest `ClientProxy` over the router, so code written against Nest's microservice client API can publish
 * WAMP events: `client.emit('docs.changes', payload)` publishes `[payload]` on that topic in every realm.
 * Request-response (`client.send`) is not offered: procedures are called by WAMP clients.
 *
 * @example
 * constructor(@Inject(WampClientProxy) private readonly client: ClientProxy) {}
 * await lastValueFrom(this.client.emit('docs.changes', { id: 1 }));
 */
@Injectable()
export class WampClientProxy extends ClientProxy {
  constructor(
    private readonly publisher: WampPublisher,
    private readonly router: WampRouter,
  ) {
    super();
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    // Nothing to release: the proxy publishes through the router the module owns.
  }

  unwrap<T>(): T {
    return this.router as T;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const topic = typeof packet.pattern === 'string' ? packet.pattern : undefined;
    if (topic === undefined) throw new Error('WampClientProxy: an event pattern must be a topic URI string.');
    this.publisher.publish(topic, packet.data === undefined ? undefined : [packet.data]);
    return undefined as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error('WampClientProxy does not support send(): WAMP procedures are called by WAMP clients.'),
      isDisposed: true,
    });
    return () => undefined;
  }
}
