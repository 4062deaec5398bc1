import type { HelloDetails, WampDict } from '../../../../lib/core/protocol/wamp-message.interface.js';
import type {
  WampAuthenticationRequest,
  WampChallengeResponse,
} from '../../../../lib/core/router/wamp-authenticator.interface.js';

/** A CHALLENGE the method sent. */
export interface SentChallenge {
  readonly method: string;
  readonly extra: WampDict;
}

/** How the fake client answers a CHALLENGE (as a real client library would). */
export type ChallengeAnswer = (
  method: string,
  extra: WampDict,
) => WampChallengeResponse | string | Promise<WampChallengeResponse | string>;

/** A {@link WampAuthenticationRequest} whose client answers CHALLENGEs with `answer`, recording them. */
export interface FakeAuthRequest extends WampAuthenticationRequest {
  readonly challenges: SentChallenge[];
}

export const SESSION_ID = 3251278072152162;

/**
 * Builds the request the session would hand to an auth method. `details` are HELLO.Details (roles are
 * filled in); `answer` returns the AUTHENTICATE signature (and extra) - omit it to fail the test if a
 * CHALLENGE is sent at all.
 */
export function fakeAuthRequest(
  details: Omit<HelloDetails, 'roles'>,
  answer?: ChallengeAnswer,
): FakeAuthRequest {
  const challenges: SentChallenge[] = [];
  return {
    realm: 'realm1',
    sessionId: SESSION_ID,
    details: { roles: { caller: {}, callee: {} }, ...details },
    transport: {
      type: 'websocket',
      protocol: 'wamp.2.json',
      remoteAddress: '127.0.0.1',
      secure: false,
      url: '/ws',
      headers: {},
    },
    challenges,
    async challenge(method: string, extra: WampDict): Promise<WampChallengeResponse> {
      // What crosses the wire is JSON-like: a deep copy catches answers relying on shared references.
      const sent = JSON.parse(JSON.stringify(extra)) as WampDict;
      challenges.push({ method, extra: sent });
      if (!answer) throw new Error(`Unexpected CHALLENGE ${method}`);
      const reply = await answer(method, sent);
      return typeof reply === 'string' ? { signature: reply, extra: {} } : reply;
    },
  };
}

/** The `{reason, message}` a rejected authentication carries (a WampAbortError), for `toMatchObject`. */
export async function abortOf(
  promise: Promise<unknown>,
): Promise<{ name: string; reason?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; reason?: string; message: string };
  }
  throw new Error('Expected the authentication to be refused.');
}
