"""Autobahn|Python (asyncio flavour) test client for the interop tests.

Usage: /usr/bin/python3 python_client.py URL REALM SERIALIZER [HOLD_MS] [ACTIONS_JSON]

  SERIALIZER    json | msgpack | cbor
  HOLD_MS       how long to stay joined before leaving (default 0, at most 5000);
                a GOODBYE from the router during that time ends the session early.
  ACTIONS_JSON  optional JSON object of things to do once joined, in this order:
                  "subscribe": TOPIC | [TOPIC, ...]
                                         subscribe (to each, in order), print {"subscribed": TOPIC,
                                         "subscription": ID} for each
                  "events": N            then stay joined until N events arrived (HOLD_MS, default
                                         5000, is then the longest wait)
                  "register": [{"procedure": URI, "behavior": B, "match": M, "invoke": I,
                                "disclose_caller": bool}, ...]
                                         register each (RegisterOptions with details_arg), print
                                         {"registered": URI, "registration": ID}; every invocation prints
                                         {"invoked": {"procedure": URI registered, "called": Details.procedure,
                                         "args", "kwargs", "caller", "caller_authid", "caller_authrole",
                                         "progress": whether Details.progress was given}}. Behaviors:
                                           "echo"   returns CallResult(*args, **kwargs)
                                           "add"    returns args[0] + args[1]
                                           "fail"   raises ApplicationError("com.example.error.failed",
                                                    "nope", code=7)
                                           "stream" sends args[0] - 1 progressive results 1, 2, ... through
                                                    Details.progress, then returns args[0]
                                           "wait"   waits until the invocation is interrupted (prints
                                                    {"interrupted": URI} and answers ApplicationError
                                                    wamp.error.canceled, "interrupted by the router") or 4 s
                                                    pass (returns "not interrupted")
                  "publish": {"topic": T, "args": [...], "kwargs": {...}}
                                         publish with acknowledge, print {"published": ID}
                  "call": [STEP, ...]    call procedures, one step after the other. A STEP is one CALL
                                         spec or a list of them started together; a step ends when all
                                         its calls ended (at most "wait_ms" each, default 4000). A spec:
                      {"procedure": URI, "tag": T (default URI), "args": [...], "kwargs": {...},
                       "receive_progress": true   CallOptions(on_progress=...): every progressive
                                                  result prints {"call_progress": {"tag", "args", "kwargs"}}
                       "timeout": MS              CallOptions(timeout=MS) (Autobahn documents seconds,
                                                  but sends the number as is: the router reads ms)
                       "cancel_after_ms": N       cancel the Future N ms after the CALL was sent
                                                  (Autobahn sends CANCEL with no mode)
                       "cancel_after_progress": N cancel the Future once N progressive results arrived
                                                  (with "receive_progress")
                       "disconnect_after_ms": N   close the transport (no GOODBYE) N ms after the CALL
                       "wait_ms": N}
                                         each call prints, when it ended, {"call": {"tag": T, "outcome":
                                         "result" | "error" | "cancelled" | "pending", ...}}:
                                           result: "type" "value" (the value Autobahn returned, "value"),
                                                   "CallResult" ("results", "kwresults") or "none"
                                           error:  "exception" (class name), "uri" (ApplicationError.error),
                                                   "args", "kwargs", "text" (str(exception))
                                           pending: no answer within wait_ms, or none before the
                                                   session ended (when the session ends, calls still
                                                   waiting fail with ApplicationError(leave reason), as
                                                   ApplicationSession.onLeave does)
                    An arg or kwarg value {"__result__": TAG, "path": [KEY, ...]} is replaced by the
                    result of the earlier call TAG (its value, or the first of its CallResult results),
                    indexed by path.
                  "until_event": {"topic": T, "kwargs": {...}}
                                         after the calls, stay joined until an EVENT on T whose kwargs
                                         contain these entries arrived (HOLD_MS, default 5000, is then
                                         the longest wait)
                  "auth": {"method": "ticket" | "wampcra" | "cryptosign" | "scram",
                           "authid": ID, "authrole": ROLE, "authextra": {...},
                           "ticket": T | "secret": S | "privkey": HEX_SEED | "password": P,
                           "authmethods": [...]     what HELLO offers (default [method])
                           "scram_pbkdf2_salt": "base64" | "utf8" | "unpatched"}
                                         join with Autobahn's own authenticator for the method
                                         (autobahn.wamp.auth.create_authenticator): HELLO carries its
                                         authid/authrole/authextra, onChallenge is its on_challenge,
                                         onWelcome its on_welcome (SCRAM checks the server signature
                                         there and, when it fails, sends ABORT cannot_authenticate).
                                         Autobahn 22.7.1's AuthScram refuses to start without argon2-cffi
                                         and passlib even for pbkdf2, and its pbkdf2 branch passes the
                                         base64 salt text where bytes are needed (ValueError): for
                                         "scram" the script lifts the argon2 check when argon2 is
                                         missing and, unless "scram_pbkdf2_salt" is "unpatched", feeds
                                         pbkdf2 the decoded salt ("base64", default) or its UTF-8 text
                                         ("utf8"); it prints {"auth_patches": [...]} saying what it did.
                Binary values are written {"__bytes__": "<base64>"} both ways (in ACTIONS_JSON and in
                the output), so the output stays JSON whatever the serializer decoded; integers
                beyond 2^53 in magnitude are written {"__int__": "<digits>"} in the output (and read
                from it in ACTIONS_JSON), so that JavaScript does not round them.

Prints one JSON object per line, e.g.
  {"joined": 123, "idtype": "int", "authmethod": "anonymous", "authid": "...", "authrole": "...",
   "authprovider": "...", "authextra": {...} | null, "realm": "..."}
  {"challenge": {"method": "ticket", "extra": {}}}  (with "auth": each CHALLENGE received)
  {"welcome_authextra": {...} | null}            (with "auth": WELCOME.Details.authextra)
  {"sent": [6, {}, "wamp.close.normal"]}        (every message the client serializes, as a list)
  {"recv": [8, 48, 2, {}, "wamp.error.canceled"]} (every message the client decoded, as a list)
  {"event": {"args": [...], "kwargs": {...}, "publication": ID, "publisher": ID | null,
             "publisher_authid": ..., "publisher_authrole": ..., "topic": URI,
             "arg_types": ["bytes", "str", "int"], "kwarg_types": {"blob": "bytes"}}}
  {"left": "wamp.close.goodbye_and_out", "message": null}
  {"disconnected": true}
  {"error": "..."}
and exits by itself (hard limit: 9 s, then it prints {"error": "timeout"} and exits with 3).

Run with /usr/bin/python3: the Debian packages python3-autobahn, python3-cbor2 and python3-msgpack
live there. The asyncio and twisted flavours of Autobahn must not be imported in one process,
so this script imports only autobahn.asyncio.
"""

import asyncio
import base64
import json
import os
import signal
import sys


def to_json(obj):
    if isinstance(obj, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(obj)).decode("ascii")}
    return str(obj)


def from_json(obj):
    if set(obj.keys()) == {"__bytes__"}:
        return base64.b64decode(obj["__bytes__"])
    if set(obj.keys()) == {"__int__"}:
        return int(obj["__int__"])
    return obj


def exact_ints(value):
    """Integers beyond 2^53 as {"__int__": digits}: the Node side would round a plain JSON number."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return {"__int__": str(value)}
    if isinstance(value, (list, tuple)):
        return [exact_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: exact_ints(item) for key, item in value.items()}
    return value


def out(**kw):
    print(json.dumps(exact_ints(kw), default=to_json), flush=True)


def on_alarm(_signum, _frame):
    out(error="timeout")
    sys.stdout.flush()
    os._exit(3)


def make_authenticator(spec):
    """Autobahn's own authenticator for spec["method"] (see "auth" above)."""
    from autobahn.wamp import auth as wamp_auth

    method = spec["method"]
    kw = {}
    for key in ("authid", "authrole", "authextra"):
        if spec.get(key) is not None:
            kw[key] = spec[key]
    if method == "ticket":
        kw["ticket"] = spec["ticket"]
    elif method == "wampcra":
        kw["secret"] = spec["secret"]
    elif method == "cryptosign":
        kw["privkey"] = spec["privkey"]
    elif method == "scram":
        kw["password"] = spec["password"]
        patches = []
        if not wamp_auth.HAS_ARGON:
            from passlib.utils import saslprep

            wamp_auth.HAS_ARGON = True
            wamp_auth.saslprep = saslprep
            patches.append("argon2 check lifted (argon2-cffi missing; pbkdf2 only)")
        salt_mode = spec.get("scram_pbkdf2_salt", "base64")
        if salt_mode != "unpatched":
            original = wamp_auth.pbkdf2

            def salted(password, salt, iterations):
                raw = base64.b64decode(salt) if salt_mode == "base64" else salt.encode("utf8")
                return original(password, raw, iterations, keylen=32)

            wamp_auth._hash_pbkdf2_secret = salted
            patches.append("pbkdf2 salt: %s" % salt_mode)
        out(auth_patches=patches)
    else:
        raise ValueError("unknown auth method %r" % (method,))
    return wamp_auth.create_authenticator(method, **kw)


def main():
    if len(sys.argv) < 4:
        out(error="usage: python_client.py URL REALM SERIALIZER [HOLD_MS] [ACTIONS_JSON]")
        return 2
    url, realm, ser_name = sys.argv[1], sys.argv[2], sys.argv[3]
    hold_ms = min(int(sys.argv[4]), 5000) if len(sys.argv) > 4 else 0
    actions = json.loads(sys.argv[5], object_hook=from_json) if len(sys.argv) > 5 else {}
    want_events = int(actions.get("events", 0))
    until_event = actions.get("until_event")
    if (want_events > 0 or until_event) and hold_ms == 0:
        hold_ms = 5000
    topics = actions.get("subscribe", [])
    if not isinstance(topics, list):
        topics = [topics]

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(9)

    try:
        from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
        from autobahn.wamp import serializer as wamp_serializer
        from autobahn.wamp.exception import ApplicationError
        from autobahn.wamp.types import (
            CallOptions,
            CallResult,
            PublishOptions,
            RegisterOptions,
            SubscribeOptions,
        )

        factories = {
            "json": getattr(wamp_serializer, "JsonSerializer", None),
            "msgpack": getattr(wamp_serializer, "MsgPackSerializer", None),
            "cbor": getattr(wamp_serializer, "CBORSerializer", None),
        }
    except Exception as e:  # noqa: BLE001 - report anything as one JSON line
        out(error="import failed: %r" % (e,))
        return 2

    def describe_result(res):
        if isinstance(res, CallResult):
            return {"type": "CallResult", "results": list(res.results), "kwresults": res.kwresults}
        if res is None:
            return {"type": "none"}
        return {"type": "value", "value": res}

    def describe_error(e):
        d = {"outcome": "error", "exception": type(e).__name__, "text": str(e)}
        if isinstance(e, ApplicationError):
            d.update(uri=e.error, args=list(e.args), kwargs=e.kwargs)
        return d

    factory = factories.get(ser_name)
    if factory is None:
        out(error="serializer not available: %s" % ser_name)
        return 2

    auth_spec = actions.get("auth")
    authenticator = None
    if auth_spec:
        try:
            authenticator = make_authenticator(auth_spec)
        except Exception as e:  # noqa: BLE001 - report as one JSON line
            out(error="authenticator failed: %r" % (e,))
            return 2

    def event_matches(topic, kwargs):
        if not until_event or until_event.get("topic") != topic:
            return False
        return all(k in kwargs and kwargs[k] == v for k, v in until_event.get("kwargs", {}).items())

    class Client(ApplicationSession):
        hold_task = None
        received = 0
        enough = None
        inflight = {}
        results = {}

        def onConnect(self):
            if authenticator is None:
                return ApplicationSession.onConnect(self)
            self.join(
                self.config.realm,
                authmethods=auth_spec.get("authmethods", [authenticator.name]),
                authid=auth_spec.get("authid"),
                authrole=auth_spec.get("authrole"),
                authextra=authenticator.authextra or None,
            )

        def onChallenge(self, challenge):
            out(challenge={"method": challenge.method, "extra": challenge.extra})
            if authenticator is None:
                raise RuntimeError("CHALLENGE without an authenticator")
            return authenticator.on_challenge(self, challenge)

        def onWelcome(self, msg):
            if authenticator is None:
                return None
            out(welcome_authextra=msg.authextra)
            return authenticator.on_welcome(self, msg.authextra)

        def resolve(self, value):
            """Replaces {"__result__": TAG, "path": [...]} by the result of the earlier call TAG."""
            if isinstance(value, list):
                return [self.resolve(v) for v in value]
            if isinstance(value, dict):
                if isinstance(value.get("__result__"), str):
                    v = self.results.get(value["__result__"])
                    for key in value.get("path", []):
                        try:
                            v = v[key]
                        except (KeyError, IndexError, TypeError):
                            v = None
                    return v
                return {k: self.resolve(v) for k, v in value.items()}
            return value

        async def onJoin(self, details):
            out(
                joined=details.session,
                idtype=type(details.session).__name__,
                authmethod=details.authmethod,
                authid=details.authid,
                authrole=details.authrole,
                authprovider=details.authprovider,
                authextra=details.authextra,
                realm=details.realm,
            )
            self.enough = asyncio.Event()
            try:
                for topic in topics:
                    sub = await self.subscribe(
                        self.on_event, topic, options=SubscribeOptions(details_arg="details")
                    )
                    out(subscribed=topic, subscription=sub.id)
                for spec in actions.get("register", []):
                    options = RegisterOptions(
                        details_arg="details",
                        match=spec.get("match"),
                        invoke=spec.get("invoke"),
                    )
                    reg = await self.register(self.endpoint(spec), spec["procedure"], options=options)
                    out(registered=spec["procedure"], registration=reg.id)
                if "publish" in actions:
                    p = actions["publish"]
                    pub = await self.publish(
                        p["topic"],
                        *p.get("args", []),
                        options=PublishOptions(acknowledge=True),
                        **p.get("kwargs", {})
                    )
                    out(published=pub.id)
                for step in actions.get("call", []):
                    specs = step if isinstance(step, list) else [step]
                    await asyncio.gather(*[self.run_call(spec) for spec in specs])
                    if not self.is_attached():
                        break
            except Exception as e:  # noqa: BLE001 - report, then leave
                out(error="action failed: %r" % (e,))
            if hold_ms > 0:
                self.hold_task = asyncio.ensure_future(self.hold(hold_ms / 1000.0))
                try:
                    await self.hold_task
                except asyncio.CancelledError:
                    return
            if self.is_attached():
                self.leave()

        async def hold(self, seconds):
            if want_events > 0 or until_event:
                try:
                    await asyncio.wait_for(self.enough.wait(), seconds)
                except asyncio.TimeoutError:
                    pass
            else:
                await asyncio.sleep(seconds)

        async def run_call(self, spec):
            tag = spec.get("tag", spec["procedure"])
            options = {}
            progress_count = [0]
            if spec.get("receive_progress"):
                def on_progress(*args, **kwargs):
                    out(call_progress={"tag": tag, "args": list(args), "kwargs": kwargs})
                    progress_count[0] += 1
                    fut = self.inflight.get(tag)
                    if fut is not None and progress_count[0] == spec.get("cancel_after_progress"):
                        fut.cancel()
                options["on_progress"] = on_progress
            if "timeout" in spec:
                options["timeout"] = spec["timeout"]
            kwargs = self.resolve(dict(spec.get("kwargs", {})))
            if options:
                kwargs["options"] = CallOptions(**options)
            try:
                fut = self.call(spec["procedure"], *self.resolve(spec.get("args", [])), **kwargs)
            except Exception as e:  # noqa: BLE001 - e.g. transport lost
                out(call=dict(tag=tag, **describe_error(e)))
                return
            self.inflight[tag] = fut
            loop = asyncio.get_event_loop()
            timers = []
            if "cancel_after_ms" in spec:
                timers.append(loop.call_later(spec["cancel_after_ms"] / 1000.0, fut.cancel))
            if "disconnect_after_ms" in spec:
                timers.append(loop.call_later(spec["disconnect_after_ms"] / 1000.0, self.disconnect))
            try:
                done, _ = await asyncio.wait([fut], timeout=spec.get("wait_ms", 4000) / 1000.0)
            finally:
                for timer in timers:
                    timer.cancel()
                self.inflight.pop(tag, None)
            if not done:
                out(call={"tag": tag, "outcome": "pending"})
            elif fut.cancelled():
                out(call={"tag": tag, "outcome": "cancelled", "exception": "CancelledError"})
            elif fut.exception() is not None:
                out(call=dict(tag=tag, **describe_error(fut.exception())))
            else:
                res = fut.result()
                self.results[tag] = res.results[0] if isinstance(res, CallResult) and res.results else res
                out(call=dict(tag=tag, outcome="result", **describe_result(res)))

        def endpoint(self, spec):
            """The procedure of one "register" spec (see the usage above)."""
            uri = spec["procedure"]
            behavior = spec.get("behavior", "echo")

            async def procedure(*args, **kwargs):
                details = kwargs.pop("details", None)
                out(
                    invoked={
                        "procedure": uri,
                        "called": getattr(details, "procedure", None),
                        "args": list(args),
                        "kwargs": kwargs,
                        "caller": getattr(details, "caller", None),
                        "caller_authid": getattr(details, "caller_authid", None),
                        "caller_authrole": getattr(details, "caller_authrole", None),
                        "progress": getattr(details, "progress", None) is not None,
                    }
                )
                if behavior == "add":
                    return args[0] + args[1]
                if behavior == "fail":
                    raise ApplicationError("com.example.error.failed", "nope", code=7)
                if behavior == "stream":
                    for value in range(1, args[0]):
                        if details is not None and details.progress is not None:
                            details.progress(value)
                        await asyncio.sleep(0.01)
                    return args[0]
                if behavior == "wait":
                    try:
                        await asyncio.sleep(4)
                    except asyncio.CancelledError:
                        # Autobahn|Python 22.7.1 cancels the invocation's task on INTERRUPT, but then sends
                        # nothing: txaio's callback calls result() on the cancelled task, and CancelledError
                        # escapes it. An application error is answered; this is how a callee gets its ERROR
                        # to the caller of a "kill" cancel.
                        out(interrupted=uri)
                        raise ApplicationError("wamp.error.canceled", "interrupted by the router")
                    return "not interrupted"
                return CallResult(*args, **kwargs)

            return procedure

        def on_event(self, *args, **kwargs):
            details = kwargs.pop("details", None)
            out(
                event={
                    "args": list(args),
                    "kwargs": kwargs,
                    "publication": getattr(details, "publication", None),
                    # EventDetails as Autobahn|Python exposes them (publisher*: only with disclose_me)
                    "publisher": getattr(details, "publisher", None),
                    "publisher_authid": getattr(details, "publisher_authid", None),
                    "publisher_authrole": getattr(details, "publisher_authrole", None),
                    "topic": getattr(details, "topic", None),
                    # Python type names of the values, e.g. "bytes" (the output spells bytes as __bytes__)
                    "arg_types": [type(a).__name__ for a in args],
                    "kwarg_types": {k: type(v).__name__ for k, v in kwargs.items()},
                }
            )
            self.received += 1
            if want_events > 0 and self.received >= want_events:
                self.enough.set()
            if event_matches(getattr(details, "topic", None), kwargs):
                self.enough.set()

        def onLeave(self, details):
            if self.hold_task is not None:
                self.hold_task.cancel()
            out(left=details.reason, message=details.message)
            # What ApplicationSession.onLeave does: fail the calls still waiting for their answer.
            try:
                self._errback_outstanding_requests(ApplicationError(details.reason, details.message))
            except Exception as e:  # noqa: BLE001 - private API; report, never break the client
                out(errback_error=repr(e))
            self.disconnect()

        def onDisconnect(self):
            out(disconnected=True)
            loop = asyncio.get_event_loop()

            def stop():
                # calls that never got an answer (e.g. Autobahn dropped the ERROR it could not decode)
                for tag in list(self.inflight):
                    out(call={"tag": tag, "outcome": "pending"})
                loop.stop()

            # a moment for the calls failed by onLeave to print their outcome
            loop.call_later(0.05, stop)

    serializer = factory()
    serialize = serializer.serialize

    def tapped_serialize(msg):
        try:
            out(sent=msg.marshal())
        except Exception as e:  # noqa: BLE001 - the tap must never break the client
            out(sent=None, tap_error=repr(e))
        return serialize(msg)

    serializer.serialize = tapped_serialize
    unserialize = serializer.unserialize

    def tapped_unserialize(payload, is_binary=None):
        msgs = unserialize(payload, is_binary)
        for msg in msgs:
            try:
                out(recv=msg.marshal())
            except Exception as e:  # noqa: BLE001 - the tap must never break the client
                out(recv=None, tap_error=repr(e))
        return msgs

    serializer.unserialize = tapped_unserialize

    if url.startswith("rs"):
        # Autobahn|Python 22.7.1's asyncio RawSocket protocol records its transport details in
        # _transport_details but lacks the transport_details property its own session reads on WELCOME
        # (AttributeError, then ABORT cannot_authenticate). The Twisted flavour has it; this gives the asyncio
        # one the same read-only property, nothing more.
        from autobahn.asyncio.rawsocket import WampRawSocketClientProtocol

        if not hasattr(WampRawSocketClientProtocol, "transport_details"):
            WampRawSocketClientProtocol.transport_details = property(lambda self: self._transport_details)

    runner = ApplicationRunner(url, realm, serializers=[serializer])
    try:
        runner.run(Client)
    except Exception as e:  # noqa: BLE001 - e.g. connection refused
        out(error=repr(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
