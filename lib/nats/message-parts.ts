/**
 * Puts together the messages a sender cut in parts because they exceed the server's largest payload. Parts of
 * one sender arrive in order (one stream keeps one sender's messages in order), so only the message being
 * received from each sender is held; one left incomplete (its sender lost NATS halfway) is dropped when that
 * sender's next message begins.
 */
export class MessageParts {
  /** Per sender: the message being put together, and its parts so far. */
  private readonly pending = new Map<string, { message: string; parts: Uint8Array[] }>();

  /**
   * The whole message `data` completes, `data` itself when it was not cut (`part` undefined), or `undefined`
   * while parts are missing. `part` is the header `<message> <index> <count>`.
   */
  add(sender: string, part: string | undefined, data: Uint8Array): Uint8Array | undefined {
    if (part === undefined) return data;
    const [message, index, count] = part.split(' ');
    if (index === '0') this.pending.set(sender, { message, parts: [] });
    const current = this.pending.get(sender);
    if (!current || current.message !== message) return undefined;
    current.parts.push(data);
    if (String(current.parts.length) !== count) return undefined;
    this.pending.delete(sender);
    return Buffer.concat(current.parts);
  }

  /** Forgets what was being put together (reading starts again elsewhere in the stream). */
  clear(): void {
    this.pending.clear();
  }
}
