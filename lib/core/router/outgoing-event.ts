import { encodeMessage } from '../protocol/message-encoder.js';
import type { EventMessage } from '../protocol/wamp-message.interface.js';
import type { WampSerializer } from '../serializers/wamp-serializer.interface.js';

/**
 * An EVENT on its way to subscribers: the message the broker built once, and its encodings, made on demand and
 * kept per serializer, so a fan-out to 1,000 subscribers encodes once per serializer in use, whichever peer
 * asks first. The peer encodes (the broker never touches bytes); an encoding that fails is reported once to
 * `onEncodeError` and the event is skipped for every peer of that serializer, never thrown at the broker or at
 * another subscriber.
 *
 * @example
 * const event = new OutgoingEvent({ type: WampMessageType.EVENT, subscription, publication, details: {}, args }, logError);
 * for (const subscriber of subscribers) subscriber.deliverEvent(event);
 */
export class OutgoingEvent {
  // One serializer is the common case: kept apart from the map, which is created only for a second one.
  private firstSerializer?: WampSerializer;
  private firstFrame?: Buffer | null;
  private others?: Map<WampSerializer, Buffer | null>;
  /** The message as the wire array, made once for every serializer. */
  private wire?: unknown[];

  constructor(
    /** The EVENT to deliver. */
    readonly message: EventMessage,
    private readonly onEncodeError: (serializer: WampSerializer, error: unknown) => void,
  ) {}

  /** The frame for `serializer`, or `undefined` when this event cannot be encoded with it. */
  frameFor(serializer: WampSerializer): Buffer | undefined {
    if (serializer === this.firstSerializer) return this.firstFrame ?? undefined;
    if (this.firstSerializer === undefined) {
      this.firstSerializer = serializer;
      this.firstFrame = this.encode(serializer);
      return this.firstFrame ?? undefined;
    }
    this.others ??= new Map();
    let frame = this.others.get(serializer);
    if (frame === undefined) {
      frame = this.encode(serializer);
      this.others.set(serializer, frame);
    }
    return frame ?? undefined;
  }

  private encode(serializer: WampSerializer): Buffer | null {
    try {
      this.wire ??= encodeMessage(this.message);
      const frame = serializer.encode(this.wire);
      // ws turns a string into bytes on every send; one Buffer serves every subscriber (sent as a text frame).
      return typeof frame === 'string' ? Buffer.from(frame) : frame;
    } catch (error) {
      this.onEncodeError(serializer, error);
      return null;
    }
  }
}
