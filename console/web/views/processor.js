import { call, enc, get } from '../api.js';
import { LineChart } from '../chart.js';
import {
  announce,
  badge,
  fmtAge,
  fmtInt,
  fmtNum,
  fmtSeconds,
  h,
  mount,
  sync,
  time,
  truncate,
} from '../dom.js';
import { mergedTimes, valuesAt } from './overview.js';
import {
  instancesTable,
  jsonBlock,
  lastError,
  partitionsTable,
  readOnlyNote,
  showOutcome,
  stateBadges,
  writeButton,
} from './parts.js';

/**
 * One processor: its state, partitions (lag, committed offsets), instances, recent errors, the
 * events it reads and writes, and its operations: pause/resume, rebuild (with the retention check
 * first, a live progress bar, roll back, finalize) and replay.
 * @param {HTMLElement} main
 * @param {any} store
 * @param {string} groupId
 */
export function processorView(main, store, groupId) {
  const title = h('h1', null, groupId);
  const badges = h('span', { class: 'badges' });
  const summary = h('dl', { class: 'summary', id: 'summary' });
  const chart = new LineChart({ title: 'Lag of the last minutes: total and per partition', unit: 'records' });
  const partitions = h('div', { class: 'scroll', id: 'partition-table' });
  const instances = h('div', { class: 'scroll' });
  const errors = h('div', { id: 'recent-errors' });
  const events = h('div', { id: 'events' });
  const pauseOutcome = h('div', { id: 'pause-outcome', role: 'status', 'aria-live': 'polite' });
  const missing = h('p', { class: 'message bad', hidden: true });
  const adminNote = h('p', { class: 'message warn', hidden: true });

  // Everything but the title: hidden while the processor is not registered.
  const body = h('div', { hidden: true });
  const pauseButton = writeButton(store, 'Pause', () => pause(true), { id: 'pause' });
  const resumeButton = writeButton(store, 'Resume', () => pause(false), { id: 'resume' });

  async function pause(paused) {
    pauseButton.setAttribute('aria-busy', 'true');
    pauseOutcome.textContent = paused ? 'Pausing: waiting for every instance to acknowledge…' : 'Resuming…';
    const r = await call('POST', `/api/processors/${enc(groupId)}/${paused ? 'pause' : 'resume'}`);
    pauseButton.removeAttribute('aria-busy');
    const waiting = r.body?.waiting ?? [];
    showOutcome(
      pauseOutcome,
      r,
      `${paused ? 'Paused' : 'Resumed'}: acknowledged by ${r.body?.acknowledged?.length ?? 0} instance(s)${waiting.length ? `; not yet by ${waiting.join(', ')}` : ''}.`,
    );
    announce(pauseOutcome.textContent ?? '');
  }

  const rebuild = rebuildSection(store, groupId);
  const replay = replaySection(store, groupId);

  mount(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Overview'), ' › processor'),
    h('div', { class: 'title-row' }, title, badges),
    missing,
    body,
  );
  mount(
    body,
    adminNote,
    readOnlyNote(store),
    summary,
    h(
      'section',
      { 'aria-labelledby': 'controls-title', class: 'card' },
      h('h2', { id: 'controls-title' }, 'Pause and resume'),
      h(
        'p',
        { class: 'help' },
        'Every instance stops at its next sub-batch boundary and acknowledges; resume picks up where it stopped.',
      ),
      h('div', { class: 'buttons' }, pauseButton, resumeButton),
      pauseOutcome,
    ),
    chart.element,
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
    h(
      'section',
      { 'aria-labelledby': 'errors-title' },
      h('h2', { id: 'errors-title' }, 'Recent errors'),
      errors,
    ),
    h(
      'section',
      { 'aria-labelledby': 'events-title' },
      h('h2', { id: 'events-title' }, 'Events it reads and writes'),
      events,
    ),
    rebuild.element,
    replay.element,
  );

  let lastDlq = -1;
  async function loadDetail() {
    try {
      const detail = await get(`/api/processors/${enc(groupId)}`);
      renderEvents(events, detail.events);
      renderErrors(errors, detail.processor, detail.recentDeadLetters);
    } catch (error) {
      sync(errors, [h('p', { class: 'message bad' }, error.message)]);
    }
  }
  void loadDetail();

  return {
    update(kind) {
      if (kind !== 'snapshot' || !store.snapshot) return;
      const p = store.snapshot.processors.find((x) => x.groupId === groupId);
      missing.hidden = Boolean(p);
      body.hidden = !p;
      if (!p) {
        const known = store.snapshot.processors.map((x) => x.groupId).join(', ');
        missing.textContent = `${groupId} is not registered (any more) in fleet.processors${known ? `; registered: ${known}` : ''}.`;
        return;
      }
      title.textContent = p.name === p.groupId ? p.name : `${p.name} (${p.groupId})`;
      document.title = `${p.name} · Fleet console`;
      sync(badges, stateBadges(p));
      adminNote.hidden = p.admin.usable;
      adminNote.textContent = p.admin.reason ?? '';
      const allPaused = p.counts.alive > 0 && p.counts.paused === p.counts.alive;
      if (store.canWrite) {
        pauseButton.toggleAttribute('disabled', !p.admin.usable || allPaused);
        resumeButton.toggleAttribute('disabled', !p.admin.usable || p.counts.paused === 0);
      }
      sync(summary, summaryOf(p));
      sync(partitions, [partitionsTable([p], `Partitions of ${p.name}`)]);
      sync(instances, [instancesTable([p], `Instances of ${p.name}`)]);
      const samples = store.history[groupId] ?? [];
      const times = mergedTimes(store.history, [groupId]);
      const keys = p.lag.partitions.map((x) => `${x.topic}:${x.partition}`);
      chart.update(times, [
        { label: 'total', values: valuesAt(samples, times, 'lag') },
        ...keys.map((k) => ({ label: k, values: valuesAt(samples, times, `p:${k}`) })),
      ]);
      rebuild.update(p);
      replay.update(p);
      if (p.dlqCount !== lastDlq) {
        if (lastDlq !== -1) void loadDetail();
        lastDlq = p.dlqCount;
      }
    },
  };
}

function summaryOf(p) {
  const item = (term, ...value) => [h('dt', null, term), h('dd', null, ...value)];
  return [
    item(
      'consumer group',
      p.groupId,
      p.group ? ` — ${p.group.state}, ${p.group.members.length} member(s)` : ' — state unknown',
    ),
    item('instances', `${p.counts.alive} alive, ${p.counts.paused} paused, ${p.counts.detached} detached`),
    item('total lag', h('span', { id: 'total-lag' }, fmtInt(p.lag.total))),
    item('events/s', fmtNum(p.eventsPerSecond)),
    item(
      'outbox backlog',
      p.outbox
        ? `${fmtInt(p.outbox.count)}${p.outbox.count ? ` (oldest ${fmtSeconds(p.outbox.oldestAgeSeconds)})` : ''}`
        : 'n/a',
    ),
    item(
      'dead letters',
      h('a', { href: `#/dlq?processor=${encodeURIComponent(p.groupId)}` }, fmtInt(p.dlqCount)),
      ` in ${p.dlqTopic}`,
    ),
    item(
      'schema in use',
      p.schema,
      p.versions.previousKept ? ` (previous version kept as ${p.schema}__previous)` : '',
    ),
    item('dedupe window', `${p.dedupeWindowHours} h: an event ID seen within it is applied once`),
    item('topics', p.topics.join(', ')),
    item(
      'last pause/resume request',
      p.control
        ? [
            p.control.paused ? 'pause' : 'resume',
            ' by ',
            p.control.requestedBy,
            ', ',
            time(p.control.requestedAt),
          ]
        : 'none',
    ),
    item('last error', lastError(p)),
  ].flat();
}

function renderErrors(el, p, recent) {
  const withErrors = p.instances.filter((i) => i.lastError);
  sync(el, [
    h('h3', null, 'Last error per instance'),
    withErrors.length
      ? h(
          'ul',
          null,
          withErrors.map((i) =>
            h('li', null, h('span', { class: 'mono' }, i.id), ', ', fmtAge(i.lastErrorAt), ': ', i.lastError),
          ),
        )
      : h('p', { class: 'muted' }, 'No instance recorded an error.'),
    h('h3', null, 'Dead letters of the last 24 hours (newest first)'),
    Array.isArray(recent)
      ? recent.length
        ? h(
            'table',
            { class: 'data' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['failed at', 'error', 'message', 'event', 'at'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              recent.map((l) =>
                h(
                  'tr',
                  null,
                  h('td', null, time(l.failedAt)),
                  h('td', null, l.errorCode ?? 'n/a'),
                  h('td', null, truncate(l.errorMessage ?? '', 120)),
                  h('td', { class: 'mono' }, l.eventId ?? 'n/a'),
                  h(
                    'td',
                    null,
                    h(
                      'a',
                      {
                        href: `#/dlq?processor=${encodeURIComponent(p.groupId)}&show=${l.partition}:${l.offset}`,
                      },
                      `${l.partition}:${l.offset}`,
                    ),
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'None.')
      : h('p', { class: 'message warn' }, recent.problem),
  ]);
}

function renderEvents(el, events) {
  if (events.problem)
    return sync(el, [
      h('p', { class: 'message warn' }, `Its /asyncapi.yaml could not be read: ${events.problem}`),
    ]);
  const topic = (t) =>
    h(
      'li',
      null,
      h('strong', null, t.topic),
      t.partitions ? ` (${t.partitions} partitions${t.key ? `, key ${t.key}` : ''})` : '',
      h(
        'ul',
        null,
        t.events.map((e) =>
          h(
            'li',
            null,
            h('span', { class: 'mono' }, e.type),
            e.summary ? ` — ${e.summary}` : '',
            e.compatibility ? ` [${e.compatibility}]` : '',
            e.fields.length
              ? h(
                  'div',
                  { class: 'fields' },
                  'fields: ',
                  e.fields.map((f) => `${f.name}${f.required ? '' : '?'}: ${f.type}`).join(', '),
                )
              : null,
          ),
        ),
      ),
    );
  sync(el, [
    h(
      'p',
      { class: 'help' },
      'From the AsyncAPI document the processor serves at /asyncapi.yaml: event types on the topics it consumes are what it reads; the rest are its follow-on events.',
    ),
    h(
      'div',
      { class: 'two-col' },
      h(
        'div',
        null,
        h('h3', null, 'Reads'),
        events.reads.length
          ? h('ul', { id: 'reads' }, events.reads.map(topic))
          : h('p', { class: 'muted' }, 'Nothing declared.'),
      ),
      h(
        'div',
        null,
        h('h3', null, 'Writes'),
        events.writes.length
          ? h('ul', { id: 'writes' }, events.writes.map(topic))
          : h('p', { class: 'muted' }, 'No follow-on events.'),
      ),
    ),
  ]);
}

/** The "from" choice of a rebuild or replay: earliest or a local time. */
function startPicker(prefix, legend) {
  const earliest = h('input', {
    type: 'radio',
    name: `${prefix}-from`,
    id: `${prefix}-from-earliest`,
    value: 'earliest',
    checked: true,
  });
  const atTime = h('input', {
    type: 'radio',
    name: `${prefix}-from`,
    id: `${prefix}-from-time`,
    value: 'time',
  });
  const when = h('input', {
    type: 'datetime-local',
    id: `${prefix}-time`,
    step: '1',
    'aria-describedby': `${prefix}-time-help`,
  });
  const element = h(
    'fieldset',
    null,
    h('legend', null, legend),
    h(
      'div',
      { class: 'radio' },
      earliest,
      h('label', { for: `${prefix}-from-earliest` }, 'From the earliest record still in the log'),
    ),
    h('div', { class: 'radio' }, atTime, h('label', { for: `${prefix}-from-time` }, 'From a time:')),
    h(
      'div',
      { class: 'field inline' },
      h('label', { for: `${prefix}-time` }, 'Start time (your local time)'),
      when,
    ),
    h('p', { id: `${prefix}-time-help`, class: 'help' }, 'Records written at or after this time.'),
  );
  when.addEventListener('input', () => {
    /** @type {HTMLInputElement} */ (atTime).checked = true;
  });
  return {
    element,
    /** @returns {string | null} 'earliest', an ISO time, or null when the time is missing */
    value() {
      if (/** @type {HTMLInputElement} */ (earliest).checked) return 'earliest';
      const v = /** @type {HTMLInputElement} */ (when).value;
      return v ? new Date(v).toISOString() : null;
    },
    onChange(fn) {
      element.addEventListener('change', fn);
      element.addEventListener('input', fn);
    },
  };
}

/** The replay plan of the admin API (dry run): per partition what moves and what retention lost. */
function planTable(plan, caption) {
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
          'topic',
          'partition',
          'committed now',
          'start at',
          'earliest available',
          'end',
          'deleted by retention',
        ].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      plan.partitions.map((x) =>
        h(
          'tr',
          null,
          h('td', null, x.topic),
          h('td', { class: 'num' }, x.partition),
          h('td', { class: 'num' }, x.before === null ? 'none' : fmtInt(x.before)),
          h('td', { class: 'num' }, fmtInt(x.target)),
          h(
            'td',
            { class: 'num' },
            fmtInt(x.earliestAvailable),
            x.firstAvailableAt ? [' (', time(x.firstAvailableAt), ')'] : '',
          ),
          h('td', { class: 'num' }, fmtInt(x.end)),
          h(
            'td',
            null,
            x.missing
              ? badge(`offsets ${x.missing.fromOffset}–${x.missing.toOffset} gone`, 'bad')
              : badge('nothing missing', 'ok'),
          ),
        ),
      ),
    ),
  );
}

function rebuildSection(store, groupId) {
  const picker = startPicker('rebuild', 'Rebuild from');
  const checkOutcome = h('div', { id: 'rebuild-check', role: 'status', 'aria-live': 'polite' });
  const acceptPartial = h('input', { type: 'checkbox', id: 'rebuild-accept-partial' });
  const partialField = h(
    'div',
    { class: 'field checkbox', hidden: true },
    acceptPartial,
    h(
      'label',
      { for: 'rebuild-accept-partial' },
      'Accept a partial rebuild (what retention deleted is not rebuilt)',
    ),
  );
  const actionOutcome = h('div', { id: 'rebuild-outcome', role: 'status', 'aria-live': 'polite' });
  const job = h('div', { id: 'rebuild-job' });
  const versions = h('div', { id: 'rebuild-versions' });
  let checkedFrom = null;

  const checkButton = h(
    'button',
    { type: 'button', id: 'rebuild-check-button', onclick: () => check() },
    'Check retention',
  );
  const startButton = writeButton(store, 'Start rebuild', () => start(), {
    id: 'rebuild-start',
    class: 'primary',
    disabled: true,
  });
  picker.onChange(() => {
    checkedFrom = null;
    startButton.toggleAttribute('disabled', true);
    sync(checkOutcome, []);
  });

  async function check() {
    const from = picker.value();
    if (!from)
      return showOutcome(
        checkOutcome,
        { status: 400, body: { error: { code: 'START_REQUIRED', message: 'choose a start time' } } },
        '',
      );
    sync(checkOutcome, [h('p', null, 'Checking what the log still holds…')]);
    const r = await call('POST', `/api/processors/${enc(groupId)}/rebuild/plan`, { from });
    if (r.status >= 300) return showOutcome(checkOutcome, r, '');
    const plan = r.body;
    checkedFrom = from;
    partialField.hidden = !plan.partial;
    if (store.canWrite) startButton.toggleAttribute('disabled', false);
    const total = plan.partitions.reduce((s, x) => s + Math.max(0, x.end - x.target), 0);
    sync(checkOutcome, [
      h(
        'p',
        { class: `message ${plan.partial ? 'warn' : 'ok'}` },
        plan.partial
          ? 'Retention deleted records the rebuild would need (below). It will be refused unless you accept a partial rebuild.'
          : `Retention kept everything: the rebuild replays ${fmtInt(total)} record(s) from ${plan.start}.`,
      ),
      planTable(plan, 'Retention check: where the rebuild starts in each partition'),
    ]);
    announce('Retention check done');
  }

  async function start() {
    const from = checkedFrom;
    if (!from) return;
    actionOutcome.textContent = 'Starting the rebuild…';
    const r = await call('POST', `/api/processors/${enc(groupId)}/rebuild`, {
      from,
      acceptPartial: /** @type {HTMLInputElement} */ (acceptPartial).checked,
    });
    showOutcome(
      actionOutcome,
      r,
      `Rebuild started on ${r.body?.instanceId ?? 'an instance'}: progress above.`,
    );
    announce(actionOutcome.textContent ?? '');
  }

  const act = (label, path, method, done, id) =>
    writeButton(
      store,
      label,
      async () => {
        const r = await call(method, `/api/processors/${enc(groupId)}/${path}`);
        showOutcome(actionOutcome, r, done);
        announce(actionOutcome.textContent ?? '');
      },
      { id },
    );

  const element = h(
    'section',
    { 'aria-labelledby': 'rebuild-title', class: 'card', id: 'rebuild' },
    h('h2', { id: 'rebuild-title' }, 'Rebuild'),
    h(
      'p',
      { class: 'help' },
      'Fills a new version of the projection side by side from the log while the live one keeps serving; then pauses the live instances, catches up to exactly their offsets and switches in one transaction. The old version is kept until you finalize or roll back.',
    ),
    job,
    versions,
    h(
      'div',
      { class: 'form' },
      picker.element,
      h('div', { class: 'buttons' }, checkButton),
      checkOutcome,
      partialField,
      h('div', { class: 'buttons' }, startButton),
    ),
    actionOutcome,
  );

  return {
    element,
    update(p) {
      const j = p.rebuild?.job;
      const running = j?.state === 'running';
      if (store.canWrite) {
        startButton.toggleAttribute(
          'disabled',
          !checkedFrom || running || !p.admin.usable || p.versions.previousKept,
        );
      }
      sync(job, j ? [jobPanel(p, j, act)] : []);
      sync(versions, [
        p.versions.previousKept
          ? h(
              'div',
              { class: 'message info' },
              h(
                'p',
                null,
                `The version before the last switch is kept as ${p.schema}__previous`,
                p.versions.switchedAt ? [' (switched ', time(p.versions.switchedAt), ')'] : '',
                '. Finalize to drop it, or roll back to it. A new rebuild waits until then.',
              ),
              h(
                'div',
                { class: 'buttons' },
                act(
                  'Finalize (drop the previous version)',
                  'rebuild/finalize',
                  'POST',
                  'Finalized: the previous version is dropped.',
                  'rebuild-finalize',
                ),
                act(
                  'Roll back',
                  'rebuild/rollback',
                  'POST',
                  'Rollback started: progress above.',
                  'rebuild-rollback',
                ),
              ),
            )
          : null,
      ]);
    },
  };
}

function jobPanel(p, j, act) {
  const pr = j.progress;
  const total = pr?.total ?? 0;
  const done = pr?.done ?? 0;
  const percent = total > 0 ? Math.floor((done / total) * 100) : j.state === 'done' ? 100 : 0;
  const phase =
    {
      'catching-up': 'catching up with the live version',
      switching: 'switching (live instances paused)',
      done: 'switched',
    }[pr?.phase ?? ''] ?? 'starting';
  return h(
    'div',
    { class: `job ${j.state}` },
    h(
      'h3',
      null,
      `${j.kind === 'rollback' ? 'Rollback' : 'Rebuild'}: ${j.state === 'running' ? phase : j.state}`,
    ),
    h(
      'label',
      { for: 'rebuild-progress' },
      `Progress: ${fmtInt(done)} of ${fmtInt(total)} records (${percent} %)`,
    ),
    h(
      'progress',
      {
        id: 'rebuild-progress',
        max: String(Math.max(total, 1)),
        value: String(total > 0 ? done : j.state === 'done' ? 1 : 0),
        'data-done': String(done),
        'data-total': String(total),
      },
      `${percent} %`,
    ),
    h(
      'p',
      { id: 'rebuild-rate' },
      j.state === 'running'
        ? `Rate ${fmtInt(pr?.perSecond ?? 0)} records/s; ETA ${pr?.etaSeconds !== undefined && pr?.etaSeconds !== null ? fmtSeconds(pr.etaSeconds) : 'unknown'}; started `
        : 'Started ',
      time(j.startedAt),
      j.finishedAt ? [', finished ', time(j.finishedAt)] : '',
      ` on `,
      h('span', { class: 'mono' }, p.rebuild.instanceId),
    ),
    j.result
      ? h(
          'p',
          { class: 'message ok', id: 'rebuild-result' },
          `Switched: ${fmtInt(j.result.events)} record(s) in ${fmtNum(j.result.seconds)} s; ${j.result.schema} is live, the version before is kept as ${j.result.keptAs}.`,
        )
      : null,
    j.error ? h('p', { class: 'message bad' }, `${j.error.code}: ${j.error.message}`) : null,
    j.state === 'running'
      ? h(
          'div',
          { class: 'buttons' },
          act('Abort', 'rebuild', 'DELETE', 'Aborted: the live version is untouched.', 'rebuild-abort'),
        )
      : null,
  );
}

function replaySection(store, groupId) {
  const picker = startPicker('replay', 'Replay from');
  const checkOutcome = h('div', { id: 'replay-check', role: 'status', 'aria-live': 'polite' });
  const acceptPartial = h('input', { type: 'checkbox', id: 'replay-accept-partial' });
  const partialField = h(
    'div',
    { class: 'field checkbox', hidden: true },
    acceptPartial,
    h('label', { for: 'replay-accept-partial' }, 'Accept a partial replay (skip what retention deleted)'),
  );
  const actionOutcome = h('div', { id: 'replay-outcome', role: 'status', 'aria-live': 'polite' });
  let checkedFrom = null;
  const replayButton = writeButton(store, 'Replay', () => replay(), { id: 'replay-start', disabled: true });
  picker.onChange(() => {
    checkedFrom = null;
    replayButton.toggleAttribute('disabled', true);
    sync(checkOutcome, []);
  });

  async function check() {
    const from = picker.value();
    if (!from)
      return showOutcome(
        checkOutcome,
        { status: 400, body: { error: { code: 'START_REQUIRED', message: 'choose a start time' } } },
        '',
      );
    const r = await call('POST', `/api/processors/${enc(groupId)}/replay/plan`, {
      from,
      acceptPartial: true,
    });
    if (r.status >= 300) return showOutcome(checkOutcome, r, '');
    const plan = r.body;
    checkedFrom = from;
    partialField.hidden = !plan.partial;
    if (store.canWrite) replayButton.toggleAttribute('disabled', false);
    sync(checkOutcome, [
      plan.activeMembers.length > 1
        ? h(
            'p',
            { class: 'message warn' },
            `The group has ${plan.activeMembers.length} active members (${plan.activeMembers.join(', ')}): the admin API replays through one instance only when it is the only member. Stop the others first, or the replay is refused.`,
          )
        : null,
      h(
        'p',
        { class: `message ${plan.partial ? 'warn' : 'ok'}` },
        plan.partial
          ? 'Retention deleted records this replay would need (below).'
          : 'Retention kept everything this replay needs.',
      ),
      planTable(plan, 'Replay plan: each partition moves from its committed offset to the start'),
    ]);
    announce('Replay check done');
  }

  async function replay() {
    if (!checkedFrom) return;
    actionOutcome.textContent = 'Replaying…';
    const r = await call('POST', `/api/processors/${enc(groupId)}/replay`, {
      from: checkedFrom,
      acceptPartial: /** @type {HTMLInputElement} */ (acceptPartial).checked,
    });
    showOutcome(
      actionOutcome,
      r,
      `Replayed: the group's offsets moved to ${r.body?.start ?? 'the start'}; already applied events are skipped by their IDs.`,
    );
    if (r.status < 300) actionOutcome.append(planTable(r.body, 'Offsets after the replay'));
    announce(actionOutcome.textContent ?? '');
  }

  const element = h(
    'section',
    { 'aria-labelledby': 'replay-title', class: 'card', id: 'replay' },
    h('h2', { id: 'replay-title' }, 'Replay'),
    h(
      'p',
      { class: 'help' },
      'Moves the consumer group back (an offset reset) after checking that retention kept what it needs. Events already applied are skipped by their IDs within the dedupe window.',
    ),
    h(
      'div',
      { class: 'form' },
      picker.element,
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', id: 'replay-check-button', onclick: () => check() }, 'Check retention'),
      ),
      checkOutcome,
      partialField,
      h('div', { class: 'buttons' }, replayButton),
    ),
    actionOutcome,
  );
  return {
    element,
    update(p) {
      if (store.canWrite) replayButton.toggleAttribute('disabled', !checkedFrom || !p.admin.usable);
    },
  };
}

export { jsonBlock };
