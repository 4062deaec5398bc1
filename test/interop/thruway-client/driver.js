/**
 * thruway.js 2.0.7 (RxJS 5) test client for the interop tests, run as a child process so that the main
 * project never loads rxjs 5. Install its folder with `npm ci --prefix test/interop/thruway-client`.
 *
 * Usage: node driver.js URL REALM [ACTIONS_JSON]
 *
 * thruway.js speaks `wamp.2.json` only. ACTIONS_JSON (same spelling as test/support/python_client.py where
 * the two overlap), done in this order once the session is open:
 *   "subscribe": TOPIC | [TOPIC, ...]   client.topic(TOPIC).subscribe(...) each, kept until the end; prints
 *                                       {"subscribed": TOPIC, "subscription": ID} when SUBSCRIBED arrived
 *   "register": [{"procedure": URI, "behavior": B}, ...]
 *                                       client.register (client.progressiveRegister for "stream") with
 *                                       {extended: true}, kept until the end; prints {"registered": URI,
 *                                       "registration": ID} when REGISTERED arrived, and {"invoked": {"procedure",
 *                                       "args", "kwargs", "details"}} per invocation. Behaviors (thruway yields
 *                                       one positional argument, never kwargs):
 *                                         "echo"   yields args[0]
 *                                         "add"    yields args[0] + args[1]
 *                                         "fail"   throws WampErrorException("com.example.error.failed", ["nope"])
 *                                         "stream" progressive: yields 1 .. args[0] as progressive results,
 *                                                  then thruway's empty final YIELD
 *                                         "wait"   never answers (thruway announces call_canceling and
 *                                                  answers INTERRUPT with ERROR wamp.error.canceled itself)
 *   "call": [STEP, ...]                 one step after the other; a STEP is one spec or a list of specs
 *                                       started together. A spec:
 *       {"procedure": URI, "tag": T (default URI), "args": [...], "kwargs": {...},
 *        "receive_progress": true         use client.progressiveCall (sends receive_progress: true)
 *        "cancel_after_progress": N       unsubscribe the call's Rx subscription once N values arrived
 *                                         (thruway's way to cancel: it then sends CANCEL with no options)
 *        "cancel_after_ms": N             unsubscribe N ms after the call started
 *        "wait_ms": N}                    longest wait for the outcome (default 4000)
 *     An arg or kwarg value {"__result__": TAG, "path": [KEY, ...]} is replaced by the first result arg
 *     of the earlier call TAG (then indexed by path).
 *   "until_event": {"topic": T, "kwargs": {...}}   then wait until an EVENT on T whose kwargs contain these
 *                                       entries arrived ("hold_ms" bounds the wait, default 3000)
 *   "hold_ms": N
 *
 * Prints one JSON object per line:
 *   {"joined": ID, "details": {...}}        WELCOME
 *   {"sent": [...]} / {"recv": [...]}      every WAMP message the client sent / received (raw arrays)
 *   {"subscribed": TOPIC, "subscription": ID}
 *   {"event": {"topic": T, "args": [...], "kwargs": {...}, "publication": ID}}
 *   {"call_value": {"tag": T, "args": [...], "kwargs": {...}}}   every value the call Observable emitted
 *   {"call": {"tag": T, "outcome": "result" | "error" | "cancelled" | "pending", "values": [{args, kwargs}],
 *             "uri": ..., "args": [...], "kwargs": {...}, "message": ...}}
 *       result: the Observable completed; "values" are all it emitted (thruway deletes details.progress, so
 *               the application cannot tell a progressive result from the final one: the final one is the
 *               last value before completion)
 *       error:  the Observable failed with WampErrorException: "uri" (errorUri), "args", "kwargs" (argskw)
 *               as the application gets them
 *       cancelled: the test unsubscribed (cancel_after_progress / cancel_after_ms)
 *   {"closed": true}  after client.close() and the socket closed ({"socket_close": CODE} before it)
 *   {"error": "..."}
 * and exits by itself (hard limit 12 s: prints {"error": "timeout"}, exit code 3).
 *
 * console.log of thruway.js ("WebSocket connection has opened", "closing socket") goes to stderr.
 */
'use strict';

const HARD_LIMIT_MS = 12000;

function out(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

// thruway.js logs to console.log: keep stdout for JSON lines.
console.log = (...args) => process.stderr.write(`${args.map(String).join(' ')}\n`);

const hardLimit = setTimeout(() => {
  out({ error: 'timeout' });
  process.exit(3);
}, HARD_LIMIT_MS);
hardLimit.unref();

const [url, realm, actionsJson] = process.argv.slice(2);
if (!url || !realm) {
  out({ error: 'usage: node driver.js URL REALM [ACTIONS_JSON]' });
  process.exit(2);
}
const actions = actionsJson ? JSON.parse(actionsJson) : {};

let Client;
let WebSocketTransport;
let CreateMessage;
let Observable;
let WampErrorException;
try {
  ({ Client } = require('thruway.js'));
  ({ WebSocketTransport } = require('thruway.js/src/Transport/WebSocketTransport'));
  ({ CreateMessage } = require('thruway.js/src/Messages/CreateMessage'));
  ({ Observable } = require('rxjs/Observable'));
  ({ WampErrorException } = require('thruway.js/src/Common/WampErrorException'));
  require('rxjs/add/observable/never');
  require('rxjs/add/observable/interval');
  require('rxjs/add/operator/take');
  require('rxjs/add/operator/map');
} catch (e) {
  out({ error: `import failed: ${e && e.message}` });
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// taps: every message the client sends and receives, as raw arrays

const sent = [];
const recv = [];
const recvListeners = new Set();

const originalNext = WebSocketTransport.prototype.next;
WebSocketTransport.prototype.next = function next(msg) {
  if (this.socket && this.socket.readyState === this.socket.OPEN) {
    const raw = JSON.parse(JSON.stringify(msg.wampifiedMsg()));
    sent.push(raw);
    out({ sent: raw });
  }
  return originalNext.call(this, msg);
};

const originalFromArray = CreateMessage.fromArray;
CreateMessage.fromArray = function fromArray(data) {
  recv.push(data);
  out({ recv: data });
  for (const listener of recvListeners) listener(data);
  return originalFromArray.call(this, data);
};

// ---------------------------------------------------------------------------------------------
// helpers

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the first received message matching `predicate` (also one already received), or null. */
function waitForRecv(predicate, ms) {
  const found = recv.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      recvListeners.delete(listener);
      resolve(null);
    }, ms);
    const listener = (msg) => {
      if (!predicate(msg)) return;
      clearTimeout(timer);
      recvListeners.delete(listener);
      resolve(msg);
    };
    recvListeners.add(listener);
  });
}

const results = new Map(); // tag -> first result arg of its last value

function resolvePlaceholders(value) {
  if (Array.isArray(value)) return value.map(resolvePlaceholders);
  if (value && typeof value === 'object') {
    if (typeof value.__result__ === 'string') {
      let v = results.get(value.__result__);
      for (const key of value.path || []) v = v == null ? undefined : v[key];
      return v;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v)]));
  }
  return value;
}

function plainArgs(a) {
  return Array.isArray(a) ? a : [];
}

function plainKwargs(k) {
  return k && typeof k === 'object' && !Array.isArray(k) ? k : {};
}

// ---------------------------------------------------------------------------------------------
// the run

const client = new Client(url, realm, {
  // no reconnection: fail the session stream instead of retrying 10000 times
  retryWhen: (attempts) => attempts.flatMap((e) => Observable.throw(e)),
  timeout: 5000,
});

const keep = []; // Rx subscriptions kept for the whole run (topics, the session)
const eventListeners = new Set();

function runCall(spec) {
  const tag = spec.tag || spec.procedure;
  const args = resolvePlaceholders(spec.args || []);
  const kwargs = resolvePlaceholders(spec.kwargs || {});
  const values = [];
  return new Promise((resolve) => {
    let done = false;
    let subscription = null;
    let unsubscribeWanted = false;
    const timers = [];
    const finish = (outcome) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      out({ call: { tag, values, ...outcome } });
      resolve();
    };
    const cancel = () => {
      if (done) return;
      if (subscription) subscription.unsubscribe();
      else unsubscribeWanted = true;
      finish({ outcome: 'cancelled' });
    };
    const obs = spec.receive_progress
      ? client.progressiveCall(spec.procedure, args, kwargs)
      : client.call(spec.procedure, args, kwargs);
    subscription = obs.subscribe(
      (m) => {
        const value = { args: plainArgs(m.args), kwargs: plainKwargs(m.argskw) };
        values.push(value);
        out({ call_value: { tag, ...value } });
        if (spec.cancel_after_progress !== undefined && values.length >= spec.cancel_after_progress) cancel();
      },
      (e) => {
        if (e && typeof e.errorUri === 'string') {
          finish({
            outcome: 'error',
            uri: e.errorUri,
            args: plainArgs(e.args),
            kwargs: plainKwargs(e.argskw),
          });
        } else {
          finish({ outcome: 'error', uri: null, message: String(e && e.message) });
        }
      },
      () => {
        const last = values[values.length - 1];
        if (last) results.set(tag, last.args[0]);
        finish({ outcome: 'result', args: last ? last.args : [], kwargs: last ? last.kwargs : {} });
      },
    );
    if (unsubscribeWanted) subscription.unsubscribe();
    if (spec.cancel_after_ms !== undefined) timers.push(setTimeout(cancel, spec.cancel_after_ms));
    timers.push(
      setTimeout(() => {
        subscription.unsubscribe();
        finish({ outcome: 'pending' });
      }, spec.wait_ms || 4000),
    );
  });
}

function procedureOf(spec) {
  return (args, argskw, details) => {
    out({ invoked: { procedure: spec.procedure, args: plainArgs(args), kwargs: plainKwargs(argskw), details } });
    const list = plainArgs(args);
    switch (spec.behavior) {
      case 'add':
        return list[0] + list[1];
      case 'fail':
        throw new WampErrorException('com.example.error.failed', ['nope']);
      case 'stream':
        return Observable.interval(10)
          .take(list[0])
          .map((index) => index + 1);
      case 'wait':
        return Observable.never();
      default:
        return list[0];
    }
  };
}

async function registerAll() {
  for (const spec of actions.register || []) {
    const before = sent.length;
    const options = { extended: true };
    keep.push(
      (spec.behavior === 'stream'
        ? client.progressiveRegister(spec.procedure, procedureOf(spec), options)
        : client.register(spec.procedure, procedureOf(spec), options)
      ).subscribe(
        () => undefined,
        (e) => {
          // client.close() fails every registration's stream with "Connection Closed": not an error here.
          if (!closing) out({ error: `register ${spec.procedure}: ${e && (e.errorUri || e.message)}` });
        },
      ),
    );
    const register = await (async () => {
      for (let waited = 0; waited < 3000; waited += 10) {
        const found = sent.slice(before).find((m) => m[0] === 64 && m[3] === spec.procedure);
        if (found) return found;
        await sleep(10);
      }
      return null;
    })();
    const registered = register && (await waitForRecv((m) => m[0] === 65 && m[1] === register[1], 3000));
    if (!registered) throw new Error(`no REGISTERED for ${spec.procedure}`);
    out({ registered: spec.procedure, registration: registered[2] });
  }
}

function kwargsContain(kwargs, wanted) {
  return Object.entries(wanted || {}).every(([k, v]) => JSON.stringify(kwargs[k]) === JSON.stringify(v));
}

async function main() {
  const welcome = await new Promise((resolve, reject) => {
    const s = client.onOpen.subscribe(
      (session) => resolve(session.welcomeMsg),
      (e) => reject(e),
    );
    keep.push(s);
  });
  out({ joined: welcome.sessionId, details: welcome.details });

  const topics = actions.subscribe === undefined ? [] : [].concat(actions.subscribe);
  for (const topic of topics) {
    const before = sent.length;
    keep.push(
      client.topic(topic).subscribe(
        (m) => {
          const event = {
            topic,
            args: plainArgs(m.args),
            kwargs: plainKwargs(m.argskw),
            publication: m.publicationId,
          };
          out({ event });
          for (const listener of eventListeners) listener(event);
        },
        (e) => out({ error: `topic ${topic}: ${e && (e.errorUri || e.message)}` }),
      ),
    );
    const subscribe = sent.slice(before).find((m) => m[0] === 32 && m[3] === topic);
    const subscribed = subscribe && (await waitForRecv((m) => m[0] === 33 && m[1] === subscribe[1], 3000));
    if (!subscribed) throw new Error(`no SUBSCRIBED for ${topic}`);
    out({ subscribed: topic, subscription: subscribed[2] });
  }

  await registerAll();

  let untilEvent = null;
  if (actions.until_event) {
    const wanted = actions.until_event;
    untilEvent = new Promise((resolve) => {
      const listener = (event) => {
        if (event.topic === wanted.topic && kwargsContain(event.kwargs, wanted.kwargs)) {
          eventListeners.delete(listener);
          resolve(true);
        }
      };
      eventListeners.add(listener);
    });
  }

  for (const step of actions.call || []) {
    const specs = Array.isArray(step) ? step : [step];
    await Promise.all(specs.map(runCall));
  }

  if (untilEvent) {
    const got = await Promise.race([untilEvent, sleep(actions.hold_ms || 3000).then(() => false)]);
    if (!got)
      out({ error: `no event ${JSON.stringify(actions.until_event)} within ${actions.hold_ms || 3000} ms` });
  } else if (actions.hold_ms) {
    await sleep(actions.hold_ms);
  }
}

let closing = false;

function closeAndExit(code) {
  closing = true;
  // thruway.js has no GOODBYE: close() ends the Rx session; the transport closes its socket 100 ms after
  // the last subscriber is gone.
  const socketClosed = new Promise((resolve) => {
    const poll = setInterval(() => {
      if (!client._transport || client._transport.socket === null) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
  try {
    client.close();
  } catch (e) {
    out({ error: `close failed: ${e && e.message}` });
  }
  for (const s of keep) s.unsubscribe();
  Promise.race([socketClosed, sleep(2000)]).then(() => {
    out({ closed: true });
    process.exitCode = code;
    // nothing of thruway.js may keep the process alive (keep-alive timer, socket)
    setTimeout(() => process.exit(code), 200).unref();
  });
}

main().then(
  () => closeAndExit(0),
  (e) => {
    out({ error: String((e && e.message) || e) });
    closeAndExit(1);
  },
);
