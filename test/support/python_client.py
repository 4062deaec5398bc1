"""Autobahn|Python (asyncio flavour) test client for the interop tests.

Usage: /usr/bin/python3 python_client.py URL REALM SERIALIZER [HOLD_MS] [ACTIONS_JSON]

  SERIALIZER    json | msgpack | cbor
  HOLD_MS       how long to stay joined before leaving (default 0, at most 5000);
                a GOODBYE from the router during that time ends the session early.
  ACTIONS_JSON  optional JSON object of things to do once joined, in this order:
                  "subscribe": TOPIC     subscribe, print {"subscribed": TOPIC, "subscription": ID}
                  "events": N            then stay joined until N events arrived (HOLD_MS, default
                                         5000, is then the longest wait)
                  "publish": {"topic": T, "args": [...], "kwargs": {...}}
                                         publish with acknowledge, print {"published": ID}
                Binary values are written {"__bytes__": "<base64>"} both ways (in ACTIONS_JSON and in
                the output), so the output stays JSON whatever the serializer decoded.

Prints one JSON object per line, e.g.
  {"joined": 123, "idtype": "int", "authmethod": "anonymous", "authid": "...", "authrole": "...", "realm": "..."}
  {"sent": [6, {}, "wamp.close.normal"]}        (every message the client serializes, as a list)
  {"event": {"args": [...], "kwargs": {...}, "publication": ID}}
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
    return obj


def out(**kw):
    print(json.dumps(kw, default=to_json), flush=True)


def on_alarm(_signum, _frame):
    out(error="timeout")
    sys.stdout.flush()
    os._exit(3)


def main():
    if len(sys.argv) < 4:
        out(error="usage: python_client.py URL REALM SERIALIZER [HOLD_MS] [ACTIONS_JSON]")
        return 2
    url, realm, ser_name = sys.argv[1], sys.argv[2], sys.argv[3]
    hold_ms = min(int(sys.argv[4]), 5000) if len(sys.argv) > 4 else 0
    actions = json.loads(sys.argv[5], object_hook=from_json) if len(sys.argv) > 5 else {}
    want_events = int(actions.get("events", 0))
    if want_events > 0 and hold_ms == 0:
        hold_ms = 5000

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(9)

    try:
        from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
        from autobahn.wamp import serializer as wamp_serializer
        from autobahn.wamp.types import PublishOptions, SubscribeOptions

        factories = {
            "json": getattr(wamp_serializer, "JsonSerializer", None),
            "msgpack": getattr(wamp_serializer, "MsgPackSerializer", None),
            "cbor": getattr(wamp_serializer, "CBORSerializer", None),
        }
    except Exception as e:  # noqa: BLE001 - report anything as one JSON line
        out(error="import failed: %r" % (e,))
        return 2

    factory = factories.get(ser_name)
    if factory is None:
        out(error="serializer not available: %s" % ser_name)
        return 2

    class Client(ApplicationSession):
        hold_task = None
        received = 0
        enough = None

        async def onJoin(self, details):
            out(
                joined=details.session,
                idtype=type(details.session).__name__,
                authmethod=details.authmethod,
                authid=details.authid,
                authrole=details.authrole,
                realm=details.realm,
            )
            self.enough = asyncio.Event()
            try:
                if "subscribe" in actions:
                    sub = await self.subscribe(
                        self.on_event, actions["subscribe"], options=SubscribeOptions(details_arg="details")
                    )
                    out(subscribed=actions["subscribe"], subscription=sub.id)
                if "publish" in actions:
                    p = actions["publish"]
                    pub = await self.publish(
                        p["topic"],
                        *p.get("args", []),
                        options=PublishOptions(acknowledge=True),
                        **p.get("kwargs", {})
                    )
                    out(published=pub.id)
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
            if want_events > 0:
                try:
                    await asyncio.wait_for(self.enough.wait(), seconds)
                except asyncio.TimeoutError:
                    pass
            else:
                await asyncio.sleep(seconds)

        def on_event(self, *args, **kwargs):
            details = kwargs.pop("details", None)
            publication = getattr(details, "publication", None)
            out(event={"args": list(args), "kwargs": kwargs, "publication": publication})
            self.received += 1
            if want_events > 0 and self.received >= want_events:
                self.enough.set()

        def onLeave(self, details):
            if self.hold_task is not None:
                self.hold_task.cancel()
            out(left=details.reason, message=details.message)
            self.disconnect()

        def onDisconnect(self):
            out(disconnected=True)
            asyncio.get_event_loop().stop()

    serializer = factory()
    serialize = serializer.serialize

    def tapped_serialize(msg):
        try:
            out(sent=msg.marshal())
        except Exception as e:  # noqa: BLE001 - the tap must never break the client
            out(sent=None, tap_error=repr(e))
        return serialize(msg)

    serializer.serialize = tapped_serialize

    runner = ApplicationRunner(url, realm, serializers=[serializer])
    try:
        runner.run(Client)
    except Exception as e:  # noqa: BLE001 - e.g. connection refused
        out(error=repr(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
