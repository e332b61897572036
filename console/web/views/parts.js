// Pieces several pages share: tables of instances and partitions, processor state badges, the
// result of an action, and buttons that only a write token may use.

import { badge, fmtAge, fmtBytes, fmtInt, fmtNum, h, time, truncate } from '../dom.js';

export const processorHref = (groupId) => `#/p/${encodeURIComponent(groupId)}`;

/** @param {any} p a processor view */
export function stateBadges(p) {
  const out = [];
  if (p.kind !== 'live') out.push(badge(`${p.kind} catching up`, 'info'));
  if (p.counts.alive === 0) out.push(badge('no live instance', 'bad'));
  if (p.counts.paused > 0) out.push(badge(`${p.counts.paused} paused`, 'warn'));
  if (p.counts.detached > 0) out.push(badge(`${p.counts.detached} detached`, 'warn'));
  if (p.rebuild?.job.state === 'running') out.push(badge(`${p.rebuild.job.kind} running`, 'info'));
  return out;
}

export function instanceState(i) {
  if (!i.alive) return badge(`gone (last seen ${fmtAge(i.lastSeen)})`, 'bad');
  const parts = [badge('alive', 'ok')];
  if (i.paused) parts.push(badge('paused', 'warn'));
  if (i.detached === true) parts.push(badge('detached', 'warn'));
  if (i.ready === false) parts.push(badge('not ready', 'warn'));
  return h('span', { class: 'badges' }, parts);
}

/** @param {any[]} processors */
export function instancesTable(processors, caption = 'Instances') {
  const rows = processors.flatMap((p) =>
    p.instances.map((i) =>
      h(
        'tr',
        null,
        h('td', null, h('a', { href: processorHref(p.groupId) }, p.name)),
        h('td', { class: 'mono' }, i.id),
        h('td', null, `${i.host}:${i.pid}`),
        h('td', null, instanceState(i)),
        h('td', { class: 'num' }, i.resources.rssBytes === null ? 'n/a' : fmtBytes(i.resources.rssBytes)),
        h(
          'td',
          { class: 'num' },
          i.resources.cpuPercent === null ? 'n/a' : `${fmtNum(i.resources.cpuPercent)} %`,
        ),
        h('td', { class: 'num' }, fmtNum(i.eventsPerSecond)),
        h('td', null, resourceNote(i)),
      ),
    ),
  );
  return h(
    'table',
    { class: 'data' },
    h('caption', null, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        [
          'processor',
          'instance',
          'host:pid',
          'state',
          'memory (RSS)',
          'CPU',
          'applied/s',
          'source of memory and CPU',
        ].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.length ? rows : h('tr', null, h('td', { colspan: '8' }, 'No instance registered.')),
    ),
  );
}

function resourceNote(i) {
  const r = i.resources;
  const what =
    r.source === 'metrics'
      ? 'its /metrics'
      : r.source === 'proc'
        ? '/proc on the console’s host'
        : 'not available';
  const exposed = i.metricsFamilies?.length
    ? `Its /metrics exposes: ${i.metricsFamilies.filter((f) => !f.startsWith('target_')).join(', ')}.`
    : null;
  return h(
    'details',
    { class: 'note' },
    h('summary', null, what),
    r.note ? h('p', null, r.note) : null,
    exposed ? h('p', null, exposed) : null,
    i.probeError ? h('p', { class: 'bad-text' }, `Probe: ${i.probeError}`) : null,
  );
}

/** @param {any[]} processors */
export function partitionsTable(processors, caption = 'Lag per partition') {
  const rows = processors.flatMap((p) =>
    p.lag.partitions.map((x) =>
      h(
        'tr',
        null,
        h('td', null, h('a', { href: processorHref(p.groupId) }, p.name)),
        h('td', null, x.topic),
        h('td', { class: 'num' }, x.partition),
        h('td', { class: 'num' }, fmtInt(x.lag)),
        h('td', { class: 'num' }, x.committed === null ? 'none' : fmtInt(x.committed)),
        h('td', { class: 'num' }, fmtInt(x.end)),
        h('td', { class: 'num' }, fmtInt(x.low)),
      ),
    ),
  );
  return h(
    'table',
    { class: 'data' },
    h('caption', null, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        [
          'processor',
          'topic',
          'partition',
          'lag',
          'committed offset',
          'end offset',
          'earliest available',
        ].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: '7' }, 'No partition known.'))),
  );
}

export function lastError(p) {
  if (!p.lastError) return h('span', { class: 'muted' }, 'none');
  return h(
    'span',
    { title: p.lastError.message },
    `${fmtAge(p.lastError.at)}: ${truncate(p.lastError.message, 80)}`,
  );
}

/**
 * A button for a write action: disabled for a read-only session, with the reason next to it.
 * @param {any} store
 * @param {string} label
 * @param {(e: Event) => any} onclick
 * @param {Record<string, any>} [attrs]
 */
export function writeButton(store, label, onclick, attrs = {}) {
  const readOnly = !store.canWrite;
  return h(
    'button',
    {
      type: 'button',
      ...attrs,
      disabled: readOnly || attrs.disabled,
      'aria-describedby': readOnly ? 'read-only-note' : attrs['aria-describedby'],
      title: readOnly ? 'Signed in read-only: this changes the fleet' : attrs.title,
      onclick,
    },
    label,
  );
}

/** Shown once per page when the session is read-only. */
export function readOnlyNote(store) {
  return store.canWrite
    ? null
    : h(
        'p',
        { id: 'read-only-note', class: 'message info' },
        'Signed in with a read token: you see everything; actions that change the fleet are disabled.',
      );
}

/**
 * Writes the result of an action into a status region: what happened, or why it was refused.
 * @param {HTMLElement} region
 * @param {{ status: number, body: any }} r
 * @param {string} done what to say on success
 */
export function showOutcome(region, r, done) {
  region.replaceChildren();
  const ok = r.status < 300;
  region.className = `message ${ok ? 'ok' : r.status === 409 ? 'warn' : 'bad'}`;
  region.append(h('strong', null, ok ? done : `${r.body?.error?.code ?? `HTTP ${r.status}`}: `));
  if (!ok) region.append(h('span', { class: 'pre' }, r.body?.error?.message ?? ''));
}

/** @param {any} value */
export const jsonBlock = (value) => h('pre', { class: 'json' }, JSON.stringify(value, null, 2));

export { time };
