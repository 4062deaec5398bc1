import { createHash } from 'node:crypto';

/**
 * A channel or realm as one subject token: what NATS reserves (`.`, `*`, `>`, whitespace) and `%` itself are
 * written `%XX`, so distinct names stay distinct subjects.
 *
 * @example
 * subjectToken('wamp/realm1/publications') // 'wamp/realm1/publications'
 * subjectToken('com.example') // 'com%2eexample'
 */
export function subjectToken(name: string): string {
  return name.replace(/[^A-Za-z0-9_\-/]/g, (character) => escaped(character, '%'));
}

/**
 * Longest claim key kept readable in the bucket. A key becomes part of a subject, and NATS drops a connection
 * whose protocol line exceeds `max_control_line` (4 KiB by default): a client registering a 1,024-character URI of
 * multi-byte characters (each byte escaped as `=XX`) would otherwise cut its instance off from NATS.
 */
const MAX_READABLE_KEY = 256;

/**
 * A claim key as a key-value key: letters, digits, `-`, `_` and `/` as they are, anything else (`.` and `=`
 * included) as `=XX`, so distinct keys stay distinct; beyond {@link MAX_READABLE_KEY} characters, `sha256.` and
 * the key's SHA-256 (the `.` keeps it apart from any escaped key, which has none).
 */
export function bucketKey(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9_\-/]/g, (character) => escaped(character, '='));
  if (readable.length <= MAX_READABLE_KEY) return readable;
  return `sha256.${createHash('sha256').update(key).digest('hex')}`;
}

function escaped(character: string, mark: string): string {
  return [...Buffer.from(character)].map((byte) => `${mark}${byte.toString(16).padStart(2, '0')}`).join('');
}
