import { get } from '../api.js';
import { badge, h, mount, sync, time, truncate } from '../dom.js';
import { processorHref } from './parts.js';

const tone = { ok: 'ok', pending: 'info', refused: 'warn', invalid: 'warn', failed: 'bad', denied: 'bad' };

/**
 * Who did what: every write action on the fleet (through this console, an admin API or the CLI),
 * newest first; the console's own appear live.
 * @param {HTMLElement} main
 */
export function auditView(main) {
  const list = h('div', { class: 'scroll', id: 'audit-list' });
  const status = h('p', { role: 'status' });
  /** @type {Map<number, any>} */
  const entries = new Map();
  mount(
    main,
    h('h1', null, 'Who did what'),
    h(
      'p',
      { class: 'help' },
      "Every write action on the fleet, refused and denied ones too: who (the operator, and the token they used), through what (this console, a processor's admin API, the fleet CLI), what, with which arguments, the result and when. An action taken here is recorded twice: by the console, for who clicked, and by the processor that ran it. Kept in PostgreSQL, table fleet.audit (also: fleet audit).",
    ),
    status,
    list,
  );

  const render = () => {
    const rows = [...entries.values()]
      .sort((a, b) => b.id - a.id)
      .map((e) =>
        h(
          'tr',
          { dataset: { id: String(e.id), action: e.action, result: e.result, source: e.source } },
          h('td', null, time(e.at)),
          h(
            'td',
            null,
            h('strong', null, e.actor),
            h('div', { class: 'muted' }, `${e.via}${e.selfDeclared ? ', name given at sign-in' : ''}`),
          ),
          h('td', null, e.role),
          h('td', null, e.source),
          h('td', null, e.action),
          h('td', null, e.processor ? h('a', { href: processorHref(e.processor) }, e.processor) : ''),
          h('td', { class: 'mono wrap' }, truncate(JSON.stringify(e.arguments), 160)),
          h('td', null, badge(e.result, tone[e.result] ?? 'neutral'), e.status ? ` ${e.status}` : ''),
          h('td', { class: 'wrap' }, truncate(summaryOf(e.detail), 200)),
        ),
      );
    sync(list, [
      h(
        'table',
        { class: 'data', id: 'audit-table' },
        h('caption', { class: 'visually-hidden' }, 'Write actions, newest first'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['when', 'who', 'role', 'through', 'action', 'processor', 'arguments', 'result', 'detail'].map(
              (c) => h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          rows.length ? rows : h('tr', null, h('td', { colspan: '9' }, 'Nothing recorded yet.')),
        ),
      ),
    ]);
  };

  void get('/api/audit?limit=200').then(
    (r) => {
      for (const e of r.entries) entries.set(e.id, e);
      status.textContent = `${entries.size} record(s), newest first; new ones appear as they happen.`;
      render();
    },
    (error) => (status.textContent = error.message),
  );

  return {
    update(kind, entry) {
      if (kind !== 'audit') return;
      entries.set(entry.id, entry);
      render();
    },
  };
}

function summaryOf(detail) {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  // The fleet's error body; records written before it had { error: CODE, message }.
  if (detail.error?.code) return `${detail.error.code}: ${detail.error.message ?? ''}`;
  if (detail.error) return `${detail.error}: ${detail.message ?? ''}`;
  if (typeof detail.count === 'number') return `${detail.count} redriven`;
  if (typeof detail.deleted === 'number') return `${detail.deleted} deleted`;
  if (detail.requested)
    return `${detail.requested}: acknowledged by ${detail.acknowledged?.length ?? 0}${detail.waiting?.length ? `, waiting for ${detail.waiting.length}` : ''}`;
  if (detail.kind && detail.state)
    return `${detail.kind} ${detail.state}${detail.instanceId ? ` on ${detail.instanceId}` : ''}`;
  return JSON.stringify(detail);
}
