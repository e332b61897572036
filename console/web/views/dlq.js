import { call, enc, get } from '../api.js';
import { announce, fmtInt, h, mount, sync, time, truncate } from '../dom.js';
import { jsonBlock, processorHref, readOnlyNote, showOutcome, writeButton } from './parts.js';

const toLocalInput = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/**
 * Dead letters across processors: filter by processor, error code and time; show one decoded
 * (envelope, payload, every header, the reason); redrive one or many; purge with the processor's
 * name typed as confirmation.
 * @param {HTMLElement} main
 * @param {any} store
 * @param {URLSearchParams} params
 */
export function dlqView(main, store, params) {
  const filter = {
    processor: params.get('processor') ?? '',
    errorCode: params.get('errorCode') ?? '',
    since: params.get('since') ?? '',
    until: params.get('until') ?? '',
  };
  const processorSelect = h(
    'select',
    { id: 'f-processor', name: 'processor' },
    h('option', { value: '' }, 'All processors'),
  );
  const errorCode = h('input', {
    id: 'f-error',
    name: 'errorCode',
    type: 'text',
    value: filter.errorCode,
    list: 'error-codes',
    autocomplete: 'off',
  });
  const codes = h('datalist', { id: 'error-codes' });
  const since = h('input', {
    id: 'f-since',
    name: 'since',
    type: 'datetime-local',
    step: '1',
    value: toLocalInput(filter.since),
  });
  const until = h('input', {
    id: 'f-until',
    name: 'until',
    type: 'datetime-local',
    step: '1',
    value: toLocalInput(filter.until),
  });
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter dead letters',
      onsubmit: (e) => {
        e.preventDefault();
        const q = new URLSearchParams();
        const v = (el) => /** @type {HTMLInputElement} */ (el).value;
        if (v(processorSelect)) q.set('processor', v(processorSelect));
        if (v(errorCode)) q.set('errorCode', v(errorCode).trim());
        if (v(since)) q.set('since', new Date(v(since)).toISOString());
        if (v(until)) q.set('until', new Date(v(until)).toISOString());
        location.hash = `#/dlq?${q}`;
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'f-processor' }, 'Processor'), processorSelect),
    h('div', { class: 'field' }, h('label', { for: 'f-error' }, 'Error code'), errorCode, codes),
    h('div', { class: 'field' }, h('label', { for: 'f-since' }, 'Failed at or after'), since),
    h('div', { class: 'field' }, h('label', { for: 'f-until' }, 'Failed at or before'), until),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, 'Apply filters')),
  );
  const status = h('div', { id: 'dlq-status', role: 'status', 'aria-live': 'polite' });
  const outcome = h('div', { id: 'dlq-outcome', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { class: 'scroll', id: 'dlq-list' });
  const detail = h('section', { id: 'letter', 'aria-label': 'Dead letter', tabindex: '-1' });
  const selected = new Set();
  /** @type {any[]} */
  let letters = [];

  const redriveSelected = writeButton(store, 'Redrive selected', () => redrive([...selected]), {
    id: 'redrive-selected',
    disabled: true,
  });
  const redriveAll = writeButton(store, 'Redrive all that match', () => redriveMatching(), {
    id: 'redrive-all',
    disabled: !filter.processor,
  });
  const purgeButton = writeButton(store, 'Purge…', () => openPurge(), {
    id: 'purge-open',
    disabled: !filter.processor,
  });

  // The purge dialog: the processor's name must be typed; the server checks it again.
  const typed = h('input', {
    id: 'purge-confirm',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'purge-help',
  });
  const purgeOutcome = h('div', { id: 'purge-outcome', role: 'status', 'aria-live': 'polite' });
  const purgeHelp = h('p', { id: 'purge-help' });
  const dialog = /** @type {HTMLDialogElement} */ (
    h(
      'dialog',
      { id: 'purge-dialog', 'aria-labelledby': 'purge-title' },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: async (e) => {
            e.preventDefault();
            const r = await call('POST', `/api/dlq/${enc(filter.processor)}/purge`, {
              confirm: /** @type {HTMLInputElement} */ (typed).value,
            });
            showOutcome(purgeOutcome, r, `Purged ${fmtInt(r.body?.deleted ?? 0)} dead letter(s).`);
            announce(purgeOutcome.textContent ?? '');
            if (r.status < 300) {
              dialog.close();
              showOutcome(
                outcome,
                r,
                `Purged ${fmtInt(r.body?.deleted ?? 0)} dead letter(s) of ${nameOf(filter.processor)}.`,
              );
              void load();
            }
          },
        },
        h('h2', { id: 'purge-title' }, 'Purge dead letters'),
        purgeHelp,
        h('div', { class: 'field' }, h('label', { for: 'purge-confirm' }, 'Processor name'), typed),
        purgeOutcome,
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'submit', class: 'danger', id: 'purge-submit' }, 'Purge for good'),
          h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
        ),
      ),
    )
  );

  mount(
    main,
    h('h1', null, 'Dead letters'),
    readOnlyNote(store),
    form,
    status,
    h('div', { class: 'buttons' }, redriveSelected, redriveAll, purgeButton),
    h(
      'p',
      { class: 'help' },
      'Redriving sends a dead letter back to its source topic and partition without its dlq_* headers; the processor applies it once, however often it is redriven. Choose one processor to redrive all that match or to purge.',
    ),
    outcome,
    list,
    detail,
    dialog,
  );

  const nameOf = (groupId) => store.snapshot?.processors.find((p) => p.groupId === groupId)?.name ?? groupId;

  function openPurge() {
    /** @type {HTMLInputElement} */ (typed).value = '';
    purgeOutcome.replaceChildren();
    purgeOutcome.className = '';
    const p = store.snapshot?.processors.find((x) => x.groupId === filter.processor);
    purgeHelp.textContent = `This deletes every dead letter of ${nameOf(filter.processor)} now in ${p?.dlqTopic ?? 'its DLQ'} (${fmtInt(p?.dlqCount)}), whatever the filters, for good. Type the processor's name, ${nameOf(filter.processor)}, to confirm.`;
    dialog.showModal();
  }

  async function redrive(keys) {
    const byGroup = new Map();
    for (const key of keys) {
      const [group, position] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
      const [partition, offset] = position.split(':').map(Number);
      byGroup.set(group, [...(byGroup.get(group) ?? []), { partition, offset }]);
    }
    let count = 0;
    for (const [group, positions] of byGroup) {
      const r = await call('POST', `/api/dlq/${enc(group)}/redrive`, { positions });
      if (r.status >= 300) {
        showOutcome(outcome, r, '');
        return;
      }
      count += r.body.count ?? 0;
    }
    selected.clear();
    showOutcome(
      outcome,
      { status: 200, body: null },
      `Redriven ${count} dead letter(s) to their source topics.`,
    );
    announce(outcome.textContent ?? '');
    renderList();
  }

  async function redriveMatching() {
    const r = await call('POST', `/api/dlq/${enc(filter.processor)}/redrive`, {
      all: true,
      ...(filter.errorCode ? { errorCode: filter.errorCode } : {}),
      ...(filter.since ? { since: filter.since } : {}),
    });
    showOutcome(outcome, r, `Redriven ${r.body?.count ?? 0} dead letter(s) of ${nameOf(filter.processor)}.`);
    announce(outcome.textContent ?? '');
  }

  async function show(group, partition, offset) {
    sync(detail, [h('p', null, 'Reading the dead letter…')]);
    try {
      const letter = await get(`/api/dlq/${enc(group)}/${partition}/${offset}`);
      renderLetter(group, letter);
      detail.focus();
    } catch (error) {
      sync(detail, [h('p', { class: 'message bad' }, error.message)]);
    }
  }

  function renderLetter(group, l) {
    const reason = l.reason;
    const payload = l.payload;
    const payloadView =
      payload.format === 'confluent-json'
        ? [
            h(
              'p',
              null,
              `Confluent wire format, schema ID ${payload.schemaId}, ${payload.bytes} bytes, JSON:`,
            ),
            jsonBlock(payload.json),
          ]
        : payload.format === 'json'
          ? [
              h('p', null, `${payload.bytes} bytes of plain JSON (no Confluent prefix):`),
              jsonBlock(payload.json),
            ]
          : payload.format === 'none'
            ? [
                h(
                  'p',
                  null,
                  'No value: the record had none, or it was too large for the DLQ (the reason says so).',
                ),
              ]
            : [
                h('p', null, `${payload.bytes} bytes, ${payload.problem ?? payload.format}:`),
                h('pre', { class: 'json' }, payload.text ?? payload.hex),
              ];
    sync(detail, [
      h(
        'h2',
        { id: 'letter-title' },
        `Dead letter ${l.position.partition}:${l.position.offset} of ${l.processor}`,
      ),
      h(
        'dl',
        { class: 'summary' },
        h('dt', null, 'reason'),
        h(
          'dd',
          { id: 'letter-reason' },
          h('strong', null, reason.code ?? 'unknown'),
          reason.errorClass ? ` (${reason.errorClass})` : '',
          `: ${reason.message ?? ''}`,
        ),
        h('dt', null, 'attempts'),
        h('dd', null, String(reason.attempts ?? 'n/a')),
        h('dt', null, 'failed at'),
        h('dd', null, time(reason.failedAt)),
        h('dt', null, 'came from'),
        h(
          'dd',
          null,
          `${reason.source.topic ?? '?'} partition ${reason.source.partition ?? '?'} offset ${reason.source.offset ?? '?'}`,
        ),
        h('dt', null, 'key'),
        h('dd', { class: 'mono' }, l.key ?? '(none)'),
        h('dt', null, 'in the DLQ'),
        h(
          'dd',
          null,
          `${l.position.dlqTopic} ${l.position.partition}:${l.position.offset}, written `,
          time(l.position.writtenAt),
        ),
      ),
      h(
        'div',
        { class: 'buttons' },
        writeButton(
          store,
          'Redrive this one',
          () => redrive([`${group}/${l.position.partition}:${l.position.offset}`]),
          { id: 'redrive-one' },
        ),
      ),
      h('h3', null, 'Envelope (CloudEvents)'),
      Object.keys(l.envelope).length
        ? h(
            'dl',
            { class: 'summary', id: 'letter-envelope' },
            Object.entries(l.envelope).flatMap(([k, v]) => [h('dt', null, k), h('dd', { class: 'mono' }, v)]),
          )
        : h('p', { class: 'muted' }, 'No CloudEvents headers.'),
      h('h3', null, 'Payload'),
      h('div', { id: 'letter-payload' }, payloadView),
      h('h3', null, 'Every header'),
      h(
        'table',
        { class: 'data', id: 'letter-headers' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'header'),
            h('th', { scope: 'col' }, 'value'),
            h('th', { scope: 'col' }, 'kind'),
          ),
        ),
        h(
          'tbody',
          null,
          l.headers.map((x) =>
            h(
              'tr',
              null,
              h('td', { class: 'mono' }, x.name),
              h('td', { class: 'mono wrap' }, x.value),
              h('td', null, x.kind),
            ),
          ),
        ),
      ),
    ]);
  }

  function renderList() {
    const rows = letters.map((l) => {
      const key = `${l.groupId}/${l.partition}:${l.offset}`;
      const box = h('input', {
        type: 'checkbox',
        id: `sel-${key}`,
        checked: selected.has(key),
        disabled: !store.canWrite,
        onchange: (e) => {
          if (e.target.checked) selected.add(key);
          else selected.delete(key);
          updateButtons();
        },
      });
      return h(
        'tr',
        { dataset: { key } },
        h(
          'td',
          null,
          box,
          h(
            'label',
            { for: `sel-${key}`, class: 'visually-hidden' },
            `Select ${l.partition}:${l.offset} of ${l.processor}`,
          ),
        ),
        h('td', null, h('a', { href: processorHref(l.groupId) }, l.processor)),
        h('td', { class: 'mono' }, `${l.partition}:${l.offset}`),
        h('td', { class: 'mono' }, l.eventId ?? 'n/a'),
        h('td', { class: 'wrap' }, l.eventType ?? 'n/a'),
        h('td', null, l.errorCode ?? 'n/a'),
        h('td', null, truncate(l.errorMessage ?? '', 90)),
        h('td', null, time(l.failedAt)),
        h(
          'td',
          { class: 'wrap' },
          l.source.topic ? `${l.source.topic}/${l.source.partition}@${l.source.offset}` : 'n/a',
        ),
        h(
          'td',
          null,
          h(
            'button',
            { type: 'button', class: 'link', onclick: () => show(l.groupId, l.partition, l.offset) },
            'Show',
            h('span', { class: 'visually-hidden' }, ` ${l.partition}:${l.offset}`),
          ),
        ),
      );
    });
    sync(list, [
      h(
        'table',
        { class: 'data', id: 'dlq-table' },
        h('caption', { class: 'visually-hidden' }, 'Dead letters, newest first'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            [
              'select',
              'processor',
              'at',
              'event id',
              'type',
              'error',
              'message',
              'failed at',
              'source',
              '',
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          null,
          rows.length ? rows : h('tr', null, h('td', { colspan: '10' }, 'No dead letter matches.')),
        ),
      ),
    ]);
    sync(
      codes,
      [...new Set(letters.map((l) => l.errorCode).filter(Boolean))].map((c) => h('option', { value: c })),
    );
    updateButtons();
  }

  function updateButtons() {
    if (!store.canWrite) return;
    redriveSelected.toggleAttribute('disabled', selected.size === 0);
    redriveSelected.textContent = `Redrive selected (${selected.size})`;
  }

  let loading = false;
  async function load() {
    if (loading) return;
    loading = true;
    const q = new URLSearchParams({ limit: '500' });
    if (filter.processor) q.set('processor', filter.processor);
    if (filter.errorCode) q.set('errorCode', filter.errorCode);
    if (filter.since) q.set('since', filter.since);
    if (filter.until) q.set('until', filter.until);
    try {
      const r = await get(`/api/dlq?${q}`);
      letters = r.deadLetters;
      const live = new Set(letters.map((l) => `${l.groupId}/${l.partition}:${l.offset}`));
      for (const k of [...selected]) if (!live.has(k)) selected.delete(k);
      const total = r.processors.reduce((s, p) => s + (p.matched ?? 0), 0);
      sync(status, [
        h(
          'p',
          null,
          `${fmtInt(total)} dead letter(s) match`,
          total > letters.length ? ` (the newest ${letters.length} shown)` : '',
          '.',
        ),
        ...r.processors
          .filter((p) => p.problem)
          .map((p) => h('p', { class: 'message warn' }, `${p.name}: ${p.problem}`)),
      ]);
      renderList();
    } catch (error) {
      sync(status, [h('p', { class: 'message bad' }, error.message)]);
    } finally {
      loading = false;
    }
  }

  let counts = '';
  const show0 = params.get('show');
  void load().then(() => {
    if (show0 && filter.processor) {
      const [partition, offset] = show0.split(':').map(Number);
      void show(filter.processor, partition, offset);
    }
  });

  return {
    update(kind) {
      if (kind !== 'snapshot' || !store.snapshot) return;
      const processors = store.snapshot.processors.filter((p) => p.kind === 'live');
      sync(processorSelect, [
        h('option', { value: '' }, 'All processors'),
        ...processors.map((p) =>
          h(
            'option',
            { value: p.groupId, selected: p.groupId === filter.processor },
            `${p.name} (${fmtInt(p.dlqCount)})`,
          ),
        ),
      ]);
      // The list follows the DLQ sizes: a new dead letter (or a redriven one coming back) shows by itself.
      const now = processors.map((p) => `${p.groupId}=${p.dlqCount}`).join(',');
      if (counts && now !== counts) {
        void load();
        announce('Dead letters changed; the list is updated');
      }
      counts = now;
    },
  };
}
