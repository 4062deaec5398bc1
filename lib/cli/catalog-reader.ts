import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import type {
  WampApiSnapshot,
  WampErrorDescription,
  WampProcedureDescription,
  WampTopicDescription,
} from '../core/contracts/api-description.interface.js';
import { ReflectionMetaUri } from '../core/router/meta/reflection-meta-api.js';

/** What the client generator reads: a realm's API, as `WampCatalog.snapshot()` gives it. */
export type CatalogSnapshot = WampApiSnapshot;

/** Where the generator reads the catalog from a running router. */
export interface RouterCatalogSource {
  /** `ws://` or `wss://` URL of the router's WAMP endpoint. */
  readonly url: string;
  readonly realm: string;
  /** Ticket authentication, when the realm needs it (and reflection is allowed only to some). */
  readonly authid?: string;
  readonly ticket?: string;
  /** Gives up after this long. Default 10 s. */
  readonly timeoutMs?: number;
}

type Frame = unknown[];

/**
 * Reads a realm's catalog from a running router through the reflection procedures, as any WAMP client would:
 * one session (JSON over WebSocket), `procedure.list` and `topic.list`, then `describe` for each. A router that
 * does not answer, refuses the session or the calls, or answers something else fails with a message saying so.
 */
export async function readCatalogFromRouter(source: RouterCatalogSource): Promise<CatalogSnapshot> {
  const session = await ReflectionSession.open(source);
  try {
    const procedureUris = stringList(
      await session.call(ReflectionMetaUri.PROCEDURE_LIST, []),
      'procedure.list',
    );
    const topicUris = stringList(await session.call(ReflectionMetaUri.TOPIC_LIST, []), 'topic.list');
    const procedures: WampProcedureDescription[] = [];
    for (const uri of procedureUris) {
      procedures.push(
        (await session.call(ReflectionMetaUri.PROCEDURE_DESCRIBE, [uri])) as WampProcedureDescription,
      );
    }
    const topics: WampTopicDescription[] = [];
    for (const uri of topicUris) {
      topics.push((await session.call(ReflectionMetaUri.TOPIC_DESCRIBE, [uri])) as WampTopicDescription);
    }
    const errors: WampErrorDescription[] = [];
    for (const uri of stringList(await session.call(ReflectionMetaUri.ERROR_LIST, []), 'error.list')) {
      errors.push((await session.call(ReflectionMetaUri.ERROR_DESCRIBE, [uri])) as WampErrorDescription);
    }
    return { realm: source.realm, procedures, topics, errors };
  } finally {
    session.close();
  }
}

/**
 * Reads a catalog saved as JSON: what `WampCatalog.snapshot()` returns (e.g. served at `/catalog.json` by the app,
 * or written by a script that boots the app module without listening).
 */
export async function readCatalogFromFile(path: string): Promise<CatalogSnapshot> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<CatalogSnapshot>;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.procedures)) {
    throw new Error(`${path} is not a catalog: expected { realm, procedures: [...], topics: [...] }.`);
  }
  return {
    realm: parsed.realm ?? 'realm1',
    procedures: parsed.procedures,
    topics: parsed.topics ?? [],
    errors: parsed.errors ?? [],
  };
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw new Error(`wamp.reflection.${what} answered ${JSON.stringify(value)}, not a list of URIs.`);
  }
  return value as string[];
}

/** A minimal WAMP caller over JSON: enough to ask the reflection procedures. */
class ReflectionSession {
  private nextRequest = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  private constructor(
    private readonly socket: WebSocket,
    private readonly timeoutMs: number,
  ) {}

  static open(source: RouterCatalogSource): Promise<ReflectionSession> {
    const timeoutMs = source.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      // A bound on one answer: the catalog comes from a server, and a describe answer is a few KB.
      const socket = new WebSocket(source.url, ['wamp.2.json'], { maxPayload: 16 * 1024 * 1024 });
      const session = new ReflectionSession(socket, timeoutMs);
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`No WAMP session with ${source.url} within ${timeoutMs} ms.`));
      }, timeoutMs);
      let welcomed = false;
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`Cannot reach ${source.url}: ${error.message}`));
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (!welcomed) reject(new Error(`${source.url} closed the connection before WELCOME.`));
        session.failAll(new Error(`${source.url} closed the connection.`));
      });
      socket.on('open', () => {
        const details: Record<string, unknown> = { roles: { caller: {} } };
        if (source.authid !== undefined) details.authid = source.authid;
        if (source.ticket !== undefined) details.authmethods = ['ticket'];
        socket.send(JSON.stringify([1, source.realm, details]));
      });
      socket.on('message', (data: Buffer) => {
        let frame: Frame;
        try {
          frame = JSON.parse(data.toString('utf8')) as Frame;
        } catch {
          socket.terminate();
          return;
        }
        if (!welcomed) {
          if (frame[0] === 2) {
            welcomed = true;
            clearTimeout(timer);
            resolve(session);
          } else if (frame[0] === 4 && source.ticket !== undefined) {
            socket.send(JSON.stringify([5, source.ticket, {}]));
          } else {
            clearTimeout(timer);
            socket.close();
            reject(new Error(`${source.url} refused the session: ${JSON.stringify(frame)}`));
          }
          return;
        }
        session.receive(frame);
      });
    });
  }

  call(procedure: string, args: unknown[]): Promise<unknown> {
    const request = this.nextRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request);
        reject(new Error(`${procedure} did not answer within ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      this.pending.set(request, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.send(JSON.stringify([48, request, {}, procedure, args]));
    });
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN)
      this.socket.send(JSON.stringify([6, {}, 'wamp.close.normal']));
    this.socket.close();
  }

  receive(frame: Frame): void {
    if (frame[0] === 50) {
      const waiting = this.pending.get(frame[1] as number);
      this.pending.delete(frame[1] as number);
      waiting?.resolve((frame[3] as unknown[] | undefined)?.[0]);
    } else if (frame[0] === 8) {
      const waiting = this.pending.get(frame[2] as number);
      this.pending.delete(frame[2] as number);
      const message = (frame[5] as unknown[] | undefined)?.[0];
      waiting?.reject(new Error(`${String(frame[4])}${message === undefined ? '' : `: ${String(message)}`}`));
    } else if (frame[0] === 3 || frame[0] === 6) {
      this.failAll(new Error(`The router ended the session: ${String(frame[2])}`));
      this.socket.close();
    }
  }

  failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
