"""Autobahn|Python (asyncio flavour) test client for the interop tests.

Usage: /usr/bin/python3 python_client.py URL REALM SERIALIZER [HOLD_MS]

  SERIALIZER  json | msgpack | cbor
  HOLD_MS     how long to stay joined before leaving (default 0, at most 5000);
              a GOODBYE from the router during that time ends the session early.

Prints one JSON object per line, e.g.
  {"joined": 123, "authmethod": "anonymous", "authid": "...", "authrole": "...", "realm": "..."}
  {"left": "wamp.close.goodbye_and_out", "message": null}
  {"disconnected": true}
  {"error": "..."}
and exits by itself (hard limit: 9 s, then it prints {"error": "timeout"} and exits with 3).

Run with /usr/bin/python3: the Debian packages python3-autobahn, python3-cbor2 and python3-msgpack
live there. The asyncio and twisted flavours of Autobahn must not be imported in one process,
so this script imports only autobahn.asyncio.
"""

import asyncio
import json
import os
import signal
import sys


def out(**kw):
    print(json.dumps(kw, default=str), flush=True)


def on_alarm(_signum, _frame):
    out(error="timeout")
    sys.stdout.flush()
    os._exit(3)


def main():
    if len(sys.argv) < 4:
        out(error="usage: python_client.py URL REALM SERIALIZER [HOLD_MS]")
        return 2
    url, realm, ser_name = sys.argv[1], sys.argv[2], sys.argv[3]
    hold_ms = min(int(sys.argv[4]), 5000) if len(sys.argv) > 4 else 0

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(9)

    try:
        from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
        from autobahn.wamp import serializer as wamp_serializer

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

        async def onJoin(self, details):
            out(
                joined=details.session,
                authmethod=details.authmethod,
                authid=details.authid,
                authrole=details.authrole,
                realm=details.realm,
            )
            if hold_ms > 0:
                self.hold_task = asyncio.ensure_future(asyncio.sleep(hold_ms / 1000.0))
                try:
                    await self.hold_task
                except asyncio.CancelledError:
                    return
            if self.is_attached():
                self.leave()

        def onLeave(self, details):
            if self.hold_task is not None:
                self.hold_task.cancel()
            out(left=details.reason, message=details.message)
            self.disconnect()

        def onDisconnect(self):
            out(disconnected=True)
            asyncio.get_event_loop().stop()

    runner = ApplicationRunner(url, realm, serializers=[factory()])
    try:
        runner.run(Client)
    except Exception as e:  # noqa: BLE001 - e.g. connection refused
        out(error=repr(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
