import 'reflect-metadata';
import { WampInspectorErrorLog, WampInspectorModule } from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';

/**
 * The inspector's HTTP routes without a browser: "try a call" refuses bodies it cannot call with (400, naming the
 * field), answers an ERROR as `ok: false`, and the state lists the errors the error log recorded. (The page itself
 * is driven in Chromium by browser.spec.ts, on the sample app, behind its guard.)
 */

describe('the inspector over HTTP', () => {
  const errorLog = new WampInspectorErrorLog();
  let running: RunningApp;
  let base: string;

  beforeAll(async () => {
    running = await startApp({
      wamp: { realms: ['realm1'], metrics: [errorLog] },
      imports: [WampInspectorModule.register({ path: '/ops/inspector/', allowUnguarded: true, errorLog })],
    });
    base = `http://127.0.0.1:${running.port}/ops/inspector`;
  });
  afterAll(() => running.app.close());

  const post = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${base}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it.each([
    [{}, 'procedure must be a URI string.'],
    [{ procedure: '' }, 'procedure must be a URI string.'],
    [{ procedure: 'app.x', args: { a: 1 } }, 'args must be a JSON list.'],
    [{ procedure: 'app.x', kwargs: [1] }, 'kwargs must be a JSON dict.'],
    [{ procedure: 'app.x', kwargs: null }, 'kwargs must be a JSON dict.'],
  ])('a body of %j: 400 "%s"', async (body, message) => {
    expect(await post(body)).toEqual({
      status: 400,
      json: { statusCode: 400, message, error: 'Bad Request' },
    });
  });

  it('an ERROR comes back as ok: false with its URI and arguments, and is listed among the recent errors', async () => {
    expect(await post({ procedure: 'app.nope', args: [1] })).toEqual({
      status: 200,
      json: {
        ok: false,
        error: 'wamp.error.no_such_procedure',
        args: ['No procedure is registered under "app.nope".'],
        kwargs: {},
      },
    });
    const state = (await (await fetch(`${base}/state.json`)).json()) as {
      errors: { kind: string; uri: string }[];
    };
    expect(state.errors[0]).toMatchObject({ kind: 'refused', uri: 'wamp.error.no_such_procedure' });
  });

  it("calls a client's procedure as the application and answers its RESULT", async () => {
    const { client } = await RawWampClient.join(running.url);
    client.send([64, 1, {}, 'app.echo']);
    expect(((await client.next()) as unknown[])[0]).toBe(65);
    const answered = post({ procedure: 'app.echo', args: [1, 'two'], kwargs: { three: 3 } });
    const invocation = (await client.next()) as unknown[];
    client.send([70, invocation[1], {}, invocation[4], invocation[5]]);
    expect(await answered).toEqual({
      status: 200,
      json: { ok: true, args: [1, 'two'], kwargs: { three: 3 } },
    });
    client.terminate();
  });
});
