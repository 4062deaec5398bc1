/**
 * The inspector's page and script, served as they are (no build step, no CDN, no inline script: the page's
 * Content-Security-Policy allows scripts from its own path only). Everything shown is set as text, never as
 * markup: URIs and authids come from clients.
 */

/** The page's Content-Security-Policy. */
export const INSPECTOR_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The inspector's HTML; `SCRIPT_URL` is replaced by the script's path. */
export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>WAMP inspector</title>
    <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2733; }
      h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.5rem; }
      table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #dde3ea; padding: 0.25rem 0.5rem; text-align: left; }
      th { background: #f2f5f8; } code, pre { font-family: ui-monospace, monospace; }
      .muted { color: #6b7a8a; } .error { color: #b3261e; }
      textarea, input, select { font: inherit; width: 100%; box-sizing: border-box; }
      form { display: grid; gap: 0.5rem; max-width: 40rem; }
    </style>
  </head>
  <body>
    <h1>WAMP inspector <span class="muted" id="realm" data-testid="realm"></span></h1>
    <p class="muted" id="updated" data-testid="updated">loading…</p>
    <h2>Sessions</h2>
    <table><thead><tr><th>session</th><th>authid</th><th>authrole</th><th>authmethod</th><th>transport</th></tr></thead>
      <tbody id="sessions" data-testid="sessions"></tbody></table>
    <h2>Registrations</h2>
    <table><thead><tr><th>procedure</th><th>match</th><th>invoke</th><th>callees</th></tr></thead>
      <tbody id="registrations" data-testid="registrations"></tbody></table>
    <h2>Subscriptions</h2>
    <table><thead><tr><th>topic</th><th>match</th><th>subscribers</th></tr></thead>
      <tbody id="subscriptions" data-testid="subscriptions"></tbody></table>
    <h2>Recent errors</h2>
    <table><thead><tr><th>when</th><th>kind</th><th>procedure</th><th>URI</th></tr></thead>
      <tbody id="errors" data-testid="errors"></tbody></table>
    <h2>Try a call</h2>
    <form id="call-form" data-testid="call-form">
      <label>Procedure <input id="call-procedure" data-testid="call-procedure" list="procedures" required /></label>
      <datalist id="procedures"></datalist>
      <label>Arguments (a JSON list) <textarea id="call-args" data-testid="call-args" rows="2">[]</textarea></label>
      <label>Keyword arguments (a JSON dict) <textarea id="call-kwargs" data-testid="call-kwargs" rows="2">{}</textarea></label>
      <button type="submit" data-testid="call-submit">Call</button>
      <pre id="call-answer" data-testid="call-answer" data-state="idle"></pre>
    </form>
    <script src="SCRIPT_URL"></script>
  </body>
</html>
`;

/** The inspector's script: polls the state once a second, and posts calls. */
export const INSPECTOR_SCRIPT = `'use strict';
(() => {
  const base = location.pathname.replace(/\\/$/, '');
  const $ = (id) => document.getElementById(id);
  const row = (cells, testid, key) => {
    const tr = document.createElement('tr');
    if (testid) tr.dataset.testid = testid;
    if (key !== undefined) tr.dataset.key = String(key);
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = String(cell);
      tr.append(td);
    }
    return tr;
  };
  async function refresh() {
    try {
      const response = await fetch(base + '/state.json', { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const state = await response.json();
      $('realm').textContent = 'realm ' + state.realm;
      $('sessions').replaceChildren(...state.sessions.map((s) =>
        row([s.session, s.authid, s.authrole, s.authmethod, s.transport.type + ' / ' + s.transport.protocol], 'session', s.session)));
      $('registrations').replaceChildren(...state.registrations.map((r) =>
        row([r.uri, r.match, r.invoke, r.callees.length], 'registration', r.uri)));
      $('subscriptions').replaceChildren(...state.subscriptions.map((s) =>
        row([s.uri, s.match, s.subscribers.length], 'subscription', s.uri)));
      $('errors').replaceChildren(...state.errors.map((e) =>
        row([e.at, e.kind, e.procedure || '', e.uri], 'error')));
      $('procedures').replaceChildren(...state.procedures.map((uri) => {
        const option = document.createElement('option');
        option.value = uri;
        return option;
      }));
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      $('updated').dataset.loaded = 'true';
    } catch (error) {
      $('updated').textContent = 'cannot read the state: ' + error.message;
    }
  }
  $('call-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const answer = $('call-answer');
    answer.dataset.state = 'running';
    answer.textContent = 'calling…';
    try {
      const body = {
        procedure: $('call-procedure').value,
        args: JSON.parse($('call-args').value || '[]'),
        kwargs: JSON.parse($('call-kwargs').value || '{}'),
      };
      const response = await fetch(base + '/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const outcome = await response.json();
      answer.dataset.state = outcome.ok ? 'result' : 'error';
      answer.textContent = JSON.stringify(outcome, null, 2);
    } catch (error) {
      answer.dataset.state = 'error';
      answer.textContent = String(error.message || error);
    }
  });
  refresh();
  setInterval(refresh, 1000);
})();
`;
