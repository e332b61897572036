// The console's browser side: sign-in, the live stream (server-sent events), and the router.

import { call } from './api.js';
import { announce, h, sync } from './dom.js';
import { auditView } from './views/audit.js';
import { dlqView } from './views/dlq.js';
import { overviewView } from './views/overview.js';
import { processorView } from './views/processor.js';
import { signInView } from './views/sign-in.js';

const KEEP_MS = 30 * 60_000;

/** What every view reads: who is signed in, the latest snapshot, the history, the audit records. */
export const store = {
  /** @type {{ role: 'read'|'write', actor: string, via: string, selfDeclared: boolean } | null} */
  principal: null,
  snapshot: null,
  /** @type {Record<string, { t: number, lag: number|null, eventsPerSecond: number|null, partitions: Record<string, number> }[]>} */
  history: {},
  /** @type {Set<(kind: string, data?: any) => void>} */
  listeners: new Set(),
  get canWrite() {
    return this.principal?.role === 'write';
  },
};

const emit = (kind, data) => {
  for (const listener of store.listeners) listener(kind, data);
};

/** @type {EventSource | null} */
let stream = null;
const connection = () => /** @type {HTMLElement} */ (document.getElementById('connection'));

function connect() {
  stream?.close();
  stream = new EventSource('/api/stream');
  stream.addEventListener('hello', (e) => {
    const data = JSON.parse(/** @type {MessageEvent} */ (e).data);
    store.principal = data.principal;
    store.snapshot = data.snapshot;
    store.history = data.history ?? {};
    connection().textContent = '';
    connection().className = 'connection';
    renderWho();
    emit('snapshot');
  });
  stream.addEventListener('tick', (e) => {
    const data = JSON.parse(/** @type {MessageEvent} */ (e).data);
    store.snapshot = data.snapshot;
    for (const [group, sample] of Object.entries(data.samples ?? {})) {
      if (!store.history[group]) store.history[group] = [];
      const list = store.history[group];
      list.push(/** @type {any} */ (sample));
      while (list.length && list[0].t < /** @type {any} */ (sample).t - KEEP_MS) list.shift();
    }
    for (const group of Object.keys(store.history))
      if (!data.snapshot.processors.some((p) => p.groupId === group)) delete store.history[group];
    emit('snapshot');
  });
  stream.addEventListener('audit', (e) => emit('audit', JSON.parse(/** @type {MessageEvent} */ (e).data)));
  stream.onerror = async () => {
    connection().textContent = 'Live updates interrupted: reconnecting…';
    connection().className = 'connection warn';
    const session = await call('GET', '/api/session').catch(() => null);
    if (session?.status === 401) signedOut();
  };
}

function signedOut() {
  stream?.close();
  stream = null;
  store.principal = null;
  store.snapshot = null;
  renderWho();
  route();
}
window.addEventListener('console:signed-out', signedOut);

function renderWho() {
  const who = /** @type {HTMLElement} */ (document.getElementById('who'));
  const p = store.principal;
  if (!p) return sync(who, []);
  sync(who, [
    h(
      'span',
      { class: 'principal' },
      'Signed in as ',
      h('strong', null, p.actor),
      ' ',
      h(
        'span',
        { class: `badge ${p.role === 'write' ? 'ok' : 'neutral'}` },
        p.role === 'write' ? 'write' : 'read-only',
      ),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: async () => {
          await call('DELETE', '/api/session');
          announce('Signed out');
          signedOut();
        },
      },
      'Sign out',
    ),
  ]);
}

/** @type {{ update?: (kind: string, data?: any) => void, unmount?: () => void } | null} */
let current = null;
let currentKey = '';

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

export function route(force = false) {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  const { path, params } = parseHash();
  const key = store.principal ? raw(path, params) : 'sign-in';
  if (key === currentKey && !force) return;
  currentKey = key;
  current?.unmount?.();
  if (current?.update) store.listeners.delete(current.update);
  main.replaceChildren();
  for (const a of document.querySelectorAll('[data-nav]')) a.removeAttribute('aria-current');
  if (!store.principal) {
    current = signInView(main, async (principal) => {
      store.principal = principal;
      renderWho();
      connect();
      route(true);
    });
    return;
  }
  let section = 'overview';
  if (path.startsWith('/p/')) {
    current = processorView(main, store, decodeURIComponent(path.slice(3)));
  } else if (path === '/dlq') {
    section = 'dlq';
    current = dlqView(main, store, params);
  } else if (path === '/audit') {
    section = 'audit';
    current = auditView(main);
  } else current = overviewView(main, store);
  document.querySelector(`[data-nav="${section}"]`)?.setAttribute('aria-current', 'page');
  if (current?.update) {
    store.listeners.add(current.update);
    if (store.snapshot) current.update('snapshot');
  }
  // Move focus to the new page's heading so that keyboard and screen reader users start there.
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

const raw = (path, params) => `${path}?${params}`;

window.addEventListener('hashchange', () => route());

async function boot() {
  const session = await call('GET', '/api/session');
  if (session.status === 200) {
    store.principal = session.body.principal;
    renderWho();
    connect();
  }
  route(true);
}

void boot();
