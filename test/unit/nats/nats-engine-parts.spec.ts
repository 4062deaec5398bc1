import { MessageParts } from '../../../lib/nats/message-parts.js';
import { bucketKey, subjectToken } from '../../../lib/nats/nats-names.js';
import { NatsOutbox, type OutgoingMessage } from '../../../lib/nats/nats-outbox.js';
import { NatsBackplane } from '../../../lib/nats/index.js';
import { ReceivedMessages } from '../../../lib/nats/received-messages.js';
import { recordingLogger } from '../../support/router-options.js';

/** The NATS engine's parts that need no server: names, message parts, copies, the outbox, option checks. */

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('NATS names', () => {
  it('a channel is one subject token: reserved characters escaped, distinct names stay distinct', () => {
    expect(subjectToken('wamp/realm1/publications')).toBe('wamp/realm1/publications');
    expect(subjectToken('a.b*c>d e%')).toBe('a%2eb%2ac%3ed%20e%25');
    expect(subjectToken('a.b')).not.toBe(subjectToken('a%2eb'));
  });

  it('a claim key stays readable up to 256 characters; a longer one is its SHA-256, so no protocol line outgrows NATS', () => {
    expect(bucketKey('wamp/realm1/registration/exact/com.example.add')).toBe(
      'wamp/realm1/registration/exact/com=2eexample=2eadd',
    );
    expect(bucketKey('a.b')).not.toBe(bucketKey('a=2eb'));
    const long = bucketKey(`wamp/realm1/registration/exact/${'€'.repeat(1024)}`);
    expect(long).toMatch(/^sha256\.[0-9a-f]{64}$/);
    expect(long).not.toBe(bucketKey(`wamp/realm1/registration/exact/${'€'.repeat(1023)}`));
    // Readable keys never hold a ".", so none can be taken for a hashed one.
    expect(bucketKey('sha256.x')).toBe('sha256=2ex');
  });
});

describe('message parts', () => {
  it('passes a whole message through, and puts parts together in order', () => {
    const parts = new MessageParts();
    expect(parts.add('a', undefined, Buffer.from('whole'))).toEqual(Buffer.from('whole'));
    expect(parts.add('a', '7 0 3', Buffer.from('one '))).toBeUndefined();
    expect(parts.add('b', undefined, Buffer.from('other sender'))).toEqual(Buffer.from('other sender'));
    expect(parts.add('a', '7 1 3', Buffer.from('two '))).toBeUndefined();
    expect(parts.add('a', '7 2 3', Buffer.from('three'))).toEqual(Buffer.from('one two three'));
  });

  it('drops a message left incomplete when its sender begins the next one; parts of an unknown start are ignored', () => {
    const parts = new MessageParts();
    expect(parts.add('a', '1 0 2', Buffer.from('lost'))).toBeUndefined();
    expect(parts.add('a', '2 0 2', Buffer.from('x'))).toBeUndefined();
    expect(parts.add('a', '1 1 2', Buffer.from('late'))).toBeUndefined();
    expect(parts.add('a', '2 1 2', Buffer.from('y'))).toEqual(Buffer.from('xy'));
    expect(parts.add('a', '3 1 2', Buffer.from('no start'))).toBeUndefined();
  });
});

describe('copies of a message', () => {
  it('a copy is dropped; a message arriving after a later one is still new; a new epoch starts afresh', () => {
    const received = new ReceivedMessages();
    expect(received.isNew('a', 'e1', 1)).toBe(true);
    expect(received.isNew('a', 'e1', 3)).toBe(true);
    expect(received.isNew('a', 'e1', 1)).toBe(false);
    expect(received.isNew('a', 'e1', 2)).toBe(true);
    expect(received.isNew('b', 'e1', 1)).toBe(true);
    // The sender restarted with the same node ID: its numbers start again.
    expect(received.isNew('a', 'e2', 1)).toBe(true);
  });

  it('remembers a fixed window per sender: over a million messages, copies within it are dropped, older ones too', () => {
    const received = new ReceivedMessages();
    let fresh = 0;
    for (let number = 1; number <= 1_000_000; number++) if (received.isNew('a', 'e', number)) fresh++;
    expect(fresh).toBe(1_000_000);
    expect(received.isNew('a', 'e', 999_999)).toBe(false);
    expect(received.isNew('a', 'e', 1_000_000 - 4095)).toBe(false);
    // Older than the window: taken for a copy (a resend never reaches that far back).
    expect(received.isNew('a', 'e', 1)).toBe(false);
    // A gap (numbers of other channels), then a late one inside the window: new once.
    expect(received.isNew('a', 'e', 1_000_010)).toBe(true);
    expect(received.isNew('a', 'e', 1_000_005)).toBe(true);
    expect(received.isNew('a', 'e', 1_000_005)).toBe(false);
    const windows = (received as unknown as { senders: Map<string, { seen: Uint8Array }> }).senders;
    expect(windows.get('a')?.seen.byteLength).toBe(512);
  });
});

describe('the outbox', () => {
  /** A target the test connects and disconnects; what is sent is recorded, and answered when the test says. */
  function harness() {
    let ready = true;
    let wake: (() => void) | undefined;
    const sent: { name: string; answer: (stored: boolean) => void }[] = [];
    const answered: string[] = [];
    const outbox = new NatsOutbox({
      get ready() {
        return ready;
      },
      whenReady: () => (ready ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))),
    });
    const push = (name: string, deadline = Date.now() + 30_000) => {
      const message: OutgoingMessage = {
        send: () =>
          new Promise<void>((resolve, reject) =>
            sent.push({ name, answer: (stored) => (stored ? resolve() : reject(new Error('lost'))) }),
          ),
        deadline,
        resolve: () => answered.push(`${name} stored`),
        reject: (error) => answered.push(`${name} failed: ${error.message}`),
      };
      outbox.push(message);
    };
    return {
      outbox,
      sent,
      answered,
      push,
      setReady(value: boolean) {
        ready = value;
        if (value) wake?.();
      },
    };
  }

  it('sends at once, many in flight, and answers in the order the messages were made', async () => {
    const { sent, answered, push } = harness();
    push('m1');
    push('m2');
    expect(sent.map((entry) => entry.name)).toEqual(['m1', 'm2']);
    sent[1].answer(true);
    await tick();
    expect(answered).toEqual([]);
    sent[0].answer(true);
    await tick();
    expect(answered).toEqual(['m1 stored', 'm2 stored']);
  });

  it('after a failure, waits for the stream and sends again, in order, everything not stored', async () => {
    const { sent, answered, push, setReady } = harness();
    push('m1');
    push('m2');
    push('m3');
    sent[0].answer(true);
    setReady(false);
    sent[1].answer(false);
    await tick();
    push('m4');
    sent[2].answer(true); // m3 stored meanwhile: not sent again (one still in flight would be; receivers drop copies)
    await tick();
    expect(sent.map((entry) => entry.name)).toEqual(['m1', 'm2', 'm3']);
    setReady(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sent.map((entry) => entry.name)).toEqual(['m1', 'm2', 'm3', 'm2', 'm4']);
    for (const entry of sent.slice(3)) entry.answer(true);
    await tick();
    expect(answered).toEqual(['m1 stored', 'm2 stored', 'm3 stored', 'm4 stored']);
  });

  it('a message the server did not come back for by its deadline fails; closing fails the rest', async () => {
    const { outbox, sent, answered, push, setReady } = harness();
    setReady(false);
    push('late', Date.now() + 50);
    push('waiting');
    await new Promise((resolve) => setTimeout(resolve, 1400));
    expect(answered).toEqual([
      'late failed: NatsBackplane: the server was not reachable in time to store it.',
    ]);
    outbox.close();
    expect(answered[1]).toBe('waiting failed: NatsBackplane: closed.');
    push('after');
    expect(answered[2]).toBe('after failed: NatsBackplane: closed.');
    expect(sent).toEqual([]);
  });
});

describe('NatsBackplane options', () => {
  it('refuses a subjectPrefix NATS cannot take, naming the option', () => {
    for (const subjectPrefix of ['', 'a.b', 'x'.repeat(65), 'with space'])
      expect(() => new NatsBackplane({ subjectPrefix, logger: recordingLogger() })).toThrow(
        `NatsBackplane: subjectPrefix "${subjectPrefix}" must be 1 to 64 letters, digits, "-" or "_".`,
      );
  });

  it('with no server there: not connected, broadcasts wait, and closing ends at once, failing them', async () => {
    const backplane = new NatsBackplane({ servers: 'nats://127.0.0.1:1', logger: recordingLogger() });
    expect(backplane.connected).toBe(false);
    const broadcast = backplane.broadcast('channel', new Uint8Array([1]));
    const started = Date.now();
    await backplane.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(broadcast).rejects.toThrow('NatsBackplane: closed.');
    await expect(backplane.broadcast('channel', new Uint8Array())).rejects.toThrow('NatsBackplane: closed.');
  });
});
