import { TicketAuthMethod } from '../../../lib/core/auth/methods/ticket.auth-method.js';
import type {
  WampAuthContext,
  WampTicketAuthenticator,
} from '../../../lib/core/auth/wamp-authenticators.interface.js';
import { WampAbortError } from '../../../lib/core/router/wamp-abort.error.js';
import { SESSION_ID, abortOf, fakeAuthRequest } from './support/fake-auth-request.js';

/** Users: joe / secret!!! (role user). */
function authenticator(): WampTicketAuthenticator & { calls: [string, string, WampAuthContext][] } {
  const calls: [string, string, WampAuthContext][] = [];
  return {
    calls,
    verifyTicket: (authid, ticket, context) => {
      calls.push([authid, ticket, context]);
      return Promise.resolve(authid === 'joe' && ticket === 'secret!!!' ? { authrole: 'user' } : null);
    },
  };
}

describe('TicketAuthMethod', () => {
  it('answers to "ticket"', () => {
    expect(new TicketAuthMethod(authenticator()).names).toEqual(['ticket']);
  });

  it('sends [4, "ticket", {}] and admits the right ticket with the role the application gives', async () => {
    const app = authenticator();
    // Autobahn's AuthTicket.on_challenge returns the ticket as the signature, extra {}.
    const request = fakeAuthRequest({ authmethods: ['ticket'], authid: 'joe' }, () => 'secret!!!');
    const identity = await new TicketAuthMethod(app).authenticate(request, 'ticket');
    expect(request.challenges).toEqual([{ method: 'ticket', extra: {} }]);
    expect(identity).toEqual({
      authid: 'joe',
      authrole: 'user',
      authmethod: 'ticket',
      authprovider: 'application',
    });
    expect(app.calls).toHaveLength(1);
    expect(app.calls[0]![0]).toBe('joe');
    expect(app.calls[0]![1]).toBe('secret!!!');
    expect(app.calls[0]![2]).toMatchObject({
      realm: 'realm1',
      sessionId: SESSION_ID,
      details: request.details,
    });
  });

  it('never takes the role from HELLO: authrole "admin" asked, the application says "user"', async () => {
    const request = fakeAuthRequest(
      { authmethods: ['ticket'], authid: 'joe', authrole: 'admin' },
      () => 'secret!!!',
    );
    const identity = await new TicketAuthMethod(authenticator()).authenticate(request, 'ticket');
    expect(identity.authrole).toBe('user');
  });

  it('announces the authid, authextra and provider the application chose', async () => {
    const method = new TicketAuthMethod(
      {
        verifyTicket: () =>
          Promise.resolve({ authrole: 'user', authid: 'joe@example.com', authextra: { plan: 'pro' } }),
      },
      { provider: 'userdb' },
    );
    const identity = await method.authenticate(
      fakeAuthRequest({ authid: 'joe' }, () => 't'),
      'ticket',
    );
    expect(identity).toEqual({
      authid: 'joe@example.com',
      authrole: 'user',
      authmethod: 'ticket',
      authprovider: 'userdb',
      authextra: { plan: 'pro' },
    });
  });

  it('refuses a wrong ticket with wamp.error.authentication_failed', async () => {
    const request = fakeAuthRequest({ authid: 'joe' }, () => 'wrong');
    const error = await abortOf(new TicketAuthMethod(authenticator()).authenticate(request, 'ticket'));
    expect(error).toBeInstanceOf(WampAbortError);
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
  });

  it('refuses an unknown authid exactly like a wrong ticket (after the CHALLENGE)', async () => {
    const request = fakeAuthRequest({ authid: 'nobody' }, () => 'secret!!!');
    const error = await abortOf(new TicketAuthMethod(authenticator()).authenticate(request, 'ticket'));
    expect(request.challenges).toHaveLength(1);
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed', message: 'Invalid ticket.' });
  });

  it('refuses an empty ticket without asking the application', async () => {
    const app = authenticator();
    const error = await abortOf(
      new TicketAuthMethod(app).authenticate(
        fakeAuthRequest({ authid: 'joe' }, () => ''),
        'ticket',
      ),
    );
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    expect(app.calls).toHaveLength(0);
  });

  it.each([[{}], [{ authid: '' }], [{ authid: 42 }]])(
    'refuses HELLO without a usable authid (%j) with wamp.error.no_such_principal, before any CHALLENGE',
    async (details) => {
      const request = fakeAuthRequest(details);
      const error = await abortOf(new TicketAuthMethod(authenticator()).authenticate(request, 'ticket'));
      expect(error).toMatchObject({ reason: 'wamp.error.no_such_principal' });
      expect(request.challenges).toHaveLength(0);
    },
  );

  it('passes application errors through unchanged (the session logs them and sends a generic ABORT)', async () => {
    const failure = new Error('database down');
    const method = new TicketAuthMethod({ verifyTicket: () => Promise.reject(failure) });
    await expect(
      method.authenticate(
        fakeAuthRequest({ authid: 'joe' }, () => 't'),
        'ticket',
      ),
    ).rejects.toBe(failure);
  });

  it('lets an application WampAbortError through (e.g. authentication_denied)', async () => {
    const denied = new WampAbortError('wamp.error.authentication_denied', 'Account locked.');
    const method = new TicketAuthMethod({ verifyTicket: () => Promise.reject(denied) });
    await expect(
      method.authenticate(
        fakeAuthRequest({ authid: 'joe' }, () => 't'),
        'ticket',
      ),
    ).rejects.toBe(denied);
  });

  it('treats a result without authrole as an application bug (TypeError, not an ABORT reason)', async () => {
    const method = new TicketAuthMethod({ verifyTicket: () => Promise.resolve({ authrole: '' }) });
    await expect(
      method.authenticate(
        fakeAuthRequest({ authid: 'joe' }, () => 't'),
        'ticket',
      ),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it('passes a rejected CHALLENGE (session gone) through', async () => {
    const gone = new WampAbortError('wamp.error.authentication_failed', 'Session is gone.');
    const request = fakeAuthRequest({ authid: 'joe' }, () => Promise.reject(gone));
    await expect(new TicketAuthMethod(authenticator()).authenticate(request, 'ticket')).rejects.toBe(gone);
  });
});
