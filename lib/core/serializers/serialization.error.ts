/** Raised by a serializer when a frame is not valid for its wire format, or a value cannot be encoded. */
export class SerializationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SerializationError';
  }
}
