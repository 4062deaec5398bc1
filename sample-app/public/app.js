// The sample page: plain browser JavaScript over Autobahn|JS (loaded from /vendor/autobahn.min.js).
// User data is only ever rendered with textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const statusBox = $('status');
const connectionLabel = $('connection');
const documentList = $('documents');
const noDocuments = $('no-documents');
const createForm = $('create-form');
const countForm = $('count-form');
const cancelButton = $('count-cancel');
const progressBar = $('count-progress');
const countState = $('count-state');

let session = null;
/** id -> <li>, in display order. */
const documents = new Map();
/** The running slowlyCountToNumber call (its promise has cancel()), or null. */
let countCall = null;

// ---- status and errors ----

function showStatus(text, isError = false) {
  statusBox.textContent = text;
  statusBox.classList.toggle('error', isError);
  statusBox.dataset.kind = isError ? 'error' : 'info';
}

/**
 * "uri: message" for an autobahn.Error (message from kwargs.message, else args[0], else the kwargs), else
 * the error's own text.
 */
function describeError(error) {
  if (error && typeof error.error === 'string') {
    let message = error.kwargs && error.kwargs.message;
    if (Array.isArray(message)) message = message.join('; ');
    if (message === undefined || message === null || message === '') {
      const first = error.args && error.args[0];
      message = typeof first === 'string' ? first : first === undefined ? '' : JSON.stringify(first);
    }
    if (!message && error.kwargs && Object.keys(error.kwargs).length > 0)
      message = JSON.stringify(error.kwargs);
    return message ? `${error.error}: ${message}` : error.error;
  }
  return error instanceof Error ? error.message : String(error);
}

/** session.call that rejects (instead of throwing) when there is no open session. */
function call(procedure, args, kwargs, options) {
  if (!session || !session.isOpen) return Promise.reject(new Error('Not connected to the router.'));
  return session.call(procedure, args, kwargs, options);
}

// ---- documents ----

function renderDocument(doc) {
  const item = document.createElement('li');
  item.dataset.testid = 'document';
  item.dataset.id = String(doc.id);

  const text = document.createElement('div');
  const title = document.createElement('div');
  title.className = 'title';
  title.dataset.testid = 'document-title';
  title.textContent = doc.title;
  const body = document.createElement('p');
  body.className = 'body';
  body.dataset.testid = 'document-body';
  body.textContent = doc.body;
  const created = document.createElement('time');
  created.dateTime = doc.createdAt;
  created.textContent = `#${doc.id} · ${new Date(doc.createdAt).toLocaleString()}`;
  text.append(title, body, created);

  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'secondary';
  remove.dataset.testid = 'delete-document';
  remove.textContent = 'Delete';
  remove.addEventListener('click', () => deleteDocument(doc, remove));

  item.append(text, remove);
  return item;
}

function addDocument(doc) {
  if (documents.has(doc.id)) return;
  const item = renderDocument(doc);
  documents.set(doc.id, item);
  documentList.append(item);
  noDocuments.hidden = true;
}

function removeDocument(id) {
  const item = documents.get(id);
  if (!item) return;
  item.remove();
  documents.delete(id);
  noDocuments.hidden = documents.size > 0;
}

async function deleteDocument(doc, button) {
  button.disabled = true;
  try {
    await call('docs.deleteDocument', [doc.id]);
    removeDocument(doc.id);
    showStatus(`Deleted document #${doc.id}.`);
  } catch (error) {
    button.disabled = false;
    showStatus(describeError(error), true);
  }
}

const onlineList = $('online');
/** The sessions of the realm on the page, by session ID (from the router's session meta API). */
const online = new Map();

function showOnline(details, ownId) {
  if (online.has(details.session)) return;
  const item = document.createElement('li');
  item.dataset.testid = 'online-session';
  item.dataset.session = String(details.session);
  item.textContent = `${details.authid} (${details.authrole})${details.session === ownId ? ' — you' : ''}`;
  online.set(details.session, item);
  onlineList.append(item);
}

function hideOnline(sessionId) {
  online.get(sessionId)?.remove();
  online.delete(sessionId);
}

/**
 * "Who is online", from the session meta API: on_join and on_leave first, then the list, so that no session
 * that comes or goes in between is missed.
 */
async function loadOnline(current) {
  const leftWhileLoading = new Set();
  await current.subscribe('wamp.session.on_join', ([details]) => showOnline(details, current.id));
  await current.subscribe('wamp.session.on_leave', ([sessionId]) => {
    leftWhileLoading.add(sessionId);
    hideOnline(sessionId);
  });
  for (const item of online.values()) item.remove();
  online.clear();
  const ids = await current.call('wamp.session.list');
  for (const id of ids) {
    if (leftWhileLoading.has(id)) continue;
    try {
      showOnline(await current.call('wamp.session.get', [id]), current.id);
    } catch {
      // It left between the list and the get.
    }
  }
  onlineList.dataset.loaded = 'true';
}

/**
 * The API catalog, from the reflection procedures: each procedure with its description and, when its contract
 * declares them, the keyword arguments it takes.
 */
async function loadCatalog(current) {
  const list = document.getElementById('catalog');
  list.replaceChildren();
  for (const uri of await current.call('wamp.reflection.procedure.list')) {
    const entry = await current.call('wamp.reflection.procedure.describe', [uri]);
    const item = document.createElement('li');
    item.dataset.testid = 'catalog-procedure';
    item.dataset.uri = uri;
    const name = document.createElement('code');
    const kwargs = entry.kwargs_schema && entry.kwargs_schema.properties;
    name.textContent = kwargs ? `${uri}(${Object.keys(kwargs).join(', ')})` : uri;
    item.append(name, document.createTextNode(entry.description ? ` — ${entry.description}` : ''));
    list.append(item);
  }
  list.dataset.loaded = 'true';
}

/** Subscribes to docs.changes first, then lists, so no change is missed in between. */
async function loadDocuments(current) {
  const deletedWhileLoading = new Set();
  let loaded = false;
  await current.subscribe('docs.changes', ([change]) => {
    if (!change || !change.document) return;
    if (change.action === 'created') addDocument(change.document);
    if (change.action === 'deleted') {
      if (!loaded) deletedWhileLoading.add(change.document.id);
      removeDocument(change.document.id);
    }
  });
  const list = await current.call('docs.listDocuments');
  for (const item of documents.values()) item.remove();
  documents.clear();
  for (const doc of list) if (!deletedWhileLoading.has(doc.id)) addDocument(doc);
  loaded = true;
  noDocuments.hidden = documents.size > 0;
  documentList.dataset.loaded = 'true';
}

createForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const title = createForm.elements.title.value;
  const body = createForm.elements.body.value;
  try {
    const doc = await call('docs.createDocument', [], { title, body });
    addDocument(doc);
    createForm.reset();
    showStatus(`Created document #${doc.id}.`);
  } catch (error) {
    showStatus(describeError(error), true);
  }
});

// ---- slowlyCountToNumber ----

function setCountState(state, text) {
  countState.dataset.state = state;
  countState.textContent = text;
}

/** A step of the count: `{ count, taunt }` (a bare number is accepted too). */
function stepOf(value) {
  if (value && typeof value === 'object') return { count: Number(value.count), taunt: value.taunt };
  return { count: Number(value), taunt: undefined };
}

const describeStep = ({ count, taunt }, countTo) => `${count} of ${countTo}${taunt ? ` — ${taunt}` : ''}`;

countForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (countCall) return;
  const countTo = Number(countForm.elements.count_to.value);
  const interval = Number(countForm.elements.interval.value);
  const taunt = countForm.elements.taunt.value;
  const args = taunt ? [countTo, interval, taunt] : [countTo, interval];

  progressBar.max = countTo > 0 ? countTo : 1;
  progressBar.value = 0;
  setCountState('running', `counting to ${countTo}…`);
  cancelButton.disabled = false;
  countForm.querySelector('[type=submit]').disabled = true;

  if (!session || !session.isOpen) {
    finishCount('error', 'failed', new Error('Not connected to the router.'));
    return;
  }
  const pending = session.call('slowlyCountToNumber', args, {}, { receive_progress: true });
  countCall = pending;
  // Autobahn|JS delivers progressive results to the third (progress) handler of then().
  pending.then(
    (result) => {
      if (countCall !== pending) return;
      progressBar.value = progressBar.max;
      finishCount('done', `done: ${describeStep(stepOf(result), countTo)}`);
    },
    (error) => {
      if (countCall !== pending) return;
      if (error && error.error === 'wamp.error.canceled') {
        finishCount('canceled', `canceled at ${progressBar.value} of ${countTo}`, error);
      } else finishCount('error', 'failed', error);
    },
    (progress) => {
      if (countCall !== pending) return;
      const step = stepOf(progress);
      if (Number.isFinite(step.count)) progressBar.value = step.count;
      setCountState('running', describeStep(step, countTo));
    },
  );
});

function finishCount(state, text, error) {
  countCall = null;
  cancelButton.disabled = true;
  countForm.querySelector('[type=submit]').disabled = false;
  setCountState(state, text);
  if (error) showStatus(describeError(error), state !== 'canceled');
  else showStatus(`Count ${text}`);
}

cancelButton.addEventListener('click', () => {
  if (!countCall) return;
  cancelButton.disabled = true;
  setCountState('canceling', 'canceling…');
  // Autobahn|JS 22 handles the router's wamp.error.canceled reply correctly only for mode "kill".
  countCall.cancel({ mode: 'kill' });
});

// ---- connection ----

const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
const connection = new autobahn.Connection({ url, realm: 'realm1', max_retries: -1, max_retry_delay: 10 });

connection.onopen = async (newSession) => {
  session = newSession;
  connectionLabel.dataset.state = 'open';
  connectionLabel.textContent = `connected (session ${newSession.id})`;
  try {
    await loadDocuments(newSession);
    await loadOnline(newSession);
    await loadCatalog(newSession);
    showStatus('Connected. Documents are kept up to date live.');
  } catch (error) {
    showStatus(describeError(error), true);
  }
};

connection.onclose = (reason, details) => {
  session = null;
  delete documentList.dataset.loaded;
  delete onlineList.dataset.loaded;
  if (countCall) finishCount('error', 'connection lost', new Error('Connection lost.'));
  connectionLabel.dataset.state = 'closed';
  connectionLabel.textContent = details && details.will_retry ? 'reconnecting…' : `disconnected (${reason})`;
  if (reason !== 'closed')
    showStatus(`Connection ${reason}${details && details.reason ? `: ${details.reason}` : ''}.`, true);
  return false; // let Autobahn retry
};

connection.open();
