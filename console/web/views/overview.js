import { LineChart } from '../chart.js';
import { fmtInt, fmtNum, fmtSeconds, h, mount, sync, time } from '../dom.js';
import { instancesTable, lastError, processorHref, stateBadges } from './parts.js';

/**
 * The fleet overview, live: every processor with its instances, group state, lag (with a chart of
 * the last minutes), rate, outbox, dead letters, last error, schema; then lag per partition and
 * each instance's memory and CPU.
 * @param {HTMLElement} main
 * @param {any} store
 */
export function overviewView(main, store) {
  const updated = h('p', { class: 'muted', id: 'updated' });
  const problems = h('div', { id: 'fleet-problems' });
  const lagChart = new LineChart({ title: 'Total lag per processor', unit: 'records' });
  const rateChart = new LineChart({ title: 'Events per second per processor', unit: 'events/s' });
  const processors = h('div', { class: 'scroll', id: 'processors' });
  const partitions = h('div', { class: 'scroll', id: 'partitions' });
  const instances = h('div', { class: 'scroll', id: 'instances' });
  mount(
    main,
    h('h1', null, 'Fleet overview'),
    updated,
    problems,
    h(
      'section',
      { 'aria-labelledby': 'processors-title' },
      h('h2', { id: 'processors-title' }, 'Processors'),
      processors,
    ),
    h(
      'section',
      { class: 'charts', 'aria-label': 'Charts of the last minutes' },
      lagChart.element,
      rateChart.element,
    ),
    h(
      'section',
      { 'aria-labelledby': 'partitions-title' },
      h('h2', { id: 'partitions-title' }, 'Partitions'),
      partitions,
    ),
    h(
      'section',
      { 'aria-labelledby': 'instances-title' },
      h('h2', { id: 'instances-title' }, 'Instances'),
      instances,
    ),
  );

  return {
    update(kind) {
      if (kind !== 'snapshot' || !store.snapshot) return;
      const s = store.snapshot;
      sync(updated, [`Live: updated `, time(s.at), ` (every ${fmtSeconds(s.pollMs / 1000)})`]);
      sync(problems, [
        ...s.problems.map((p) => h('p', { class: 'message bad' }, p)),
        s.adminTokenConfigured
          ? null
          : h(
              'p',
              { class: 'message warn' },
              'The console has no FLEET_ADMIN_TOKEN: it shows what it reads, but no action and no dead letter can be read through the admin API.',
            ),
      ]);
      sync(processors, [processorTable(s.processors)]);
      sync(partitions, [partitionLagTable(s.processors)]);
      sync(instances, [instancesTable(s.processors)]);
      const live = s.processors;
      const times = mergedTimes(
        store.history,
        live.map((p) => p.groupId),
      );
      lagChart.update(
        times,
        live.map((p) => ({
          label: p.name === p.groupId ? p.name : p.groupId,
          values: valuesAt(store.history[p.groupId], times, 'lag'),
        })),
      );
      rateChart.update(
        times,
        live.map((p) => ({
          label: p.name === p.groupId ? p.name : p.groupId,
          values: valuesAt(store.history[p.groupId], times, 'eventsPerSecond'),
        })),
      );
    },
  };
}

function processorTable(list) {
  const head = [
    'processor',
    'group',
    'instances',
    'lag',
    'events/s',
    'outbox',
    'dead letters',
    'last error',
    'schema',
    'dedupe window',
  ];
  const rows = list.map((p) =>
    h(
      'tr',
      { dataset: { group: p.groupId } },
      h('th', { scope: 'row' }, h('a', { href: processorHref(p.groupId) }, p.name), ' ', stateBadges(p)),
      h('td', null, p.group ? `${p.group.state}, ${p.group.members.length} member(s)` : 'unknown'),
      h(
        'td',
        null,
        `${p.counts.alive} alive`,
        p.counts.paused ? `, ${p.counts.paused} paused` : '',
        p.counts.detached ? `, ${p.counts.detached} detached` : '',
        p.counts.gone ? `, ${p.counts.gone} gone` : '',
      ),
      h('td', { class: 'num', dataset: { field: 'lag' } }, fmtInt(p.lag.total)),
      h('td', { class: 'num' }, fmtNum(p.eventsPerSecond)),
      h(
        'td',
        { class: 'num' },
        p.outbox
          ? `${fmtInt(p.outbox.count)}${p.outbox.count ? ` (oldest ${fmtSeconds(p.outbox.oldestAgeSeconds)})` : ''}`
          : p.replay
            ? 'none (replay)'
            : 'n/a',
      ),
      h(
        'td',
        { class: 'num', dataset: { field: 'dlq' } },
        p.dlqCount === null
          ? 'n/a'
          : h('a', { href: `#/dlq?processor=${encodeURIComponent(p.groupId)}` }, fmtInt(p.dlqCount)),
      ),
      h('td', { class: 'last-error' }, lastError(p)),
      h('td', null, p.schema, p.versions.previousKept ? ' (previous version kept)' : ''),
      h('td', null, `${p.dedupeWindowHours} h`),
    ),
  );
  return h(
    'table',
    { class: 'data', id: 'processor-table' },
    h('caption', { class: 'visually-hidden' }, 'Every registered processor'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.length
        ? rows
        : h(
            'tr',
            null,
            h(
              'td',
              { colspan: String(head.length) },
              'No processor is registered in fleet.processors yet: each registers itself when it starts.',
            ),
          ),
    ),
  );
}

/** Lag per partition, one row per processor and topic (offsets are on each processor's page). */
function partitionLagTable(list) {
  const rows = list.flatMap((p) =>
    p.topics.map((topic) => {
      const parts = p.lag.partitions.filter((x) => x.topic === topic);
      return h(
        'tr',
        null,
        h('td', null, h('a', { href: processorHref(p.groupId) }, p.name)),
        h('td', null, topic),
        h('td', { class: 'num' }, fmtInt(parts.reduce((s, x) => s + x.lag, 0))),
        h(
          'td',
          { class: 'lags' },
          parts.length
            ? parts.map((x) =>
                h('span', { class: x.lag > 0 ? 'lag has-lag' : 'lag' }, `${x.partition}: ${fmtInt(x.lag)}`),
              )
            : 'n/a',
        ),
      );
    }),
  );
  return h(
    'table',
    { class: 'data', id: 'partition-lag' },
    h('caption', null, 'Lag per partition (committed offsets on each processor’s page)'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['processor', 'topic', 'lag', 'lag per partition (partition: lag)'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: '4' }, 'No partition known.'))),
  );
}

/** Every sample time of the given processors, in order. */
export function mergedTimes(history, groups) {
  const set = new Set();
  for (const g of groups) for (const s of history[g] ?? []) set.add(s.t);
  return [...set].sort((a, b) => a - b);
}

/** One series on the merged time axis: the processor's value at each time, null where it has none. */
export function valuesAt(samples, times, field) {
  const by = new Map((samples ?? []).map((s) => [s.t, s]));
  return times.map((t) => {
    const s = by.get(t);
    if (!s) return null;
    return field.startsWith('p:') ? (s.partitions[field.slice(2)] ?? null) : s[field];
  });
}
