import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { deadLetterTopicOf, fetchGroupLag, type ProcessorDefinition } from '@fleet/processor';
import { infraSettings, readTopic } from '@fleet/testkit';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ledgerContracts, ledgerProcessor } from '../../packages/processor/test/ledger.ts';
import { ChaosBroker } from './chaos-broker.ts';
import { generateInput, type InputRecord } from './chaos-input.ts';
import type { ChaosOptions } from './chaos-options.ts';
import { chaosOracle, type ExpectedNotice } from './chaos-oracle.ts';
import { ChaosPostgres } from './chaos-postgres.ts';
import { type ChaosSummary, type Check, type FaultRecord, faultStats, round } from './chaos-summary.ts';
import { type Fault, type FaultKind, faultKinds, faultSchedule } from './fault-schedule.ts';
import { ProcessorFleet } from './processor-fleet.ts';
import { SeededRandom } from './seeded-random.ts';
import { terminateBackends } from './terminate-backends.ts';
import { type LedgerTables, verifyRun } from './verify-run.ts';

const PROCESSOR = 'ledger_chaos';
/** A fault after which processing does not move for this long counts as a mismatch. */
const RECOVERY_LIMIT_MS = 180_000;
/** Before each fault, every running instance must have finished starting (at most this long). */
const READY_LIMIT_MS = 60_000;
/** A backend termination that found no backend is tried again, this many attempts in all. */
const TERMINATE_ATTEMPTS = 5;

/** What injecting one fault did: whether it verifiably happened, and what to log. */
interface Injected {
  tookEffect: boolean;
  what: string;
}

/**
 * One chaos run: its own broker, PostgreSQL cluster and topics; the ledger processor as child
 * processes; the seeded stream sent at a steady rate while the seeded faults happen one after
 * another, each verified to have taken effect and timed until the processed count moves again;
 * then, once idle, everything checked against the oracle. Forgives nothing: a fault that took no
 * effect, an instance that exits by itself and a graceful stop that fails are mismatches too.
 */
export async function runChaos(options: ChaosOptions, log: (line: string) => void): Promise<ChaosSummary> {
  const started = performance.now();
  const elapsed = () => round((performance.now() - started) / 1000);
  const say = (line: string) => log(`[${elapsed().toFixed(1).padStart(6)}s] ${line}`);
  const random = new SeededRandom(options.seed);
  const input = generateInput(random.fork('input'), options, `chaos-${options.seed}`);
  const schedule = faultSchedule(random.fork('faults'), options, options.gapMs);
  if (schedule.length === 0) throw new Error('no fault scheduled: a chaos run needs at least one fault');
  const oracle = chaosOracle(input.records, PROCESSOR);
  say(
    `seed ${options.seed} (${options.mode}): ${input.records.length} records, ${schedule.length} faults: ` +
      schedule.map((f) => f.kind).join(' '),
  );

  let broker: ChaosBroker | undefined;
  let cluster: ChaosPostgres | undefined;
  let fleet: ProcessorFleet | undefined;
  let db: Kysely<LedgerTables> | undefined;
  let kafka: Kafka | undefined;
  let admin: ReturnType<Kafka['admin']> | undefined;
  let passed = false;
  let closing = false;
  // Where in the schedule the run is, for an unexpected exit: "during fault 3 broker-kill", "4.2 s after …".
  let lastFault: { label: string; endedAt?: number } = { label: 'before the first fault' };
  const whereInSchedule = () =>
    lastFault.endedAt === undefined
      ? lastFault.label
      : `${round(elapsed() - lastFault.endedAt)} s after ${lastFault.label}`;
  // Ctrl-C or SIGTERM: no orphans (instances, the broker, the PostgreSQL cluster) are left behind.
  const onSignal = () => {
    closing = true;
    say('interrupted: stopping the instances, the chaos broker and the chaos PostgreSQL');
    void (fleet?.stopAll() ?? Promise.resolve())
      .then(() => broker?.stop(false))
      .then(() => cluster?.stop(false))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    broker = await ChaosBroker.start(say);
    cluster = await ChaosPostgres.start(say);
    const logDir = join(broker.stateDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    kafka = new Kafka({ clientId: 'chaos', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    const contracts = ledgerContracts('chaos.accounts', 'chaos.notices');
    const definition = ledgerProcessor(contracts, PROCESSOR);
    const pool = new pg.Pool({
      connectionString: cluster.url,
      max: 3,
      application_name: 'chaos-verifier',
      options: `-c search_path=${PROCESSOR}`,
    });
    // The server restarts under it: a dropped idle connection must not end the run.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    db = new Kysely<LedgerTables>({ dialect: new PostgresDialect({ pool }) });
    const verifierDb = db;
    const unexpected: ChaosSummary['unexpectedExits'] = [];
    const adminDb = db as unknown as Kysely<unknown>;
    const processors = new ProcessorFleet(
      {
        KAFKA_BROKERS: broker.brokers,
        SCHEMA_REGISTRY_URL: infraSettings().schemaRegistryUrl,
        DATABASE_URL: cluster.url,
        LOG_LEVEL: 'warn',
        HTTP_PORT: '',
        PROCESSOR_BATCH_SIZE: '200',
        PROCESSOR_SESSION_TIMEOUT_MS: '6000', // a killed member is noticed sooner
        PROCESSOR_LAG_INTERVAL_MS: '1000',
        PROCESSOR_OUTBOX_POLL_MS: '100',
        PROCESSOR_STALL_TIMEOUT_MS: '20000',
        PROCESSOR_SHUTDOWN_TIMEOUT_MS: '20000',
        LEDGER_ACCOUNTS_TOPIC: contracts.accounts.name,
        LEDGER_NOTICES_TOPIC: contracts.notices.name,
        LEDGER_NAME: PROCESSOR,
      },
      logDir,
      (exit) => {
        if (closing) return;
        const where = whereInSchedule();
        unexpected.push({ ...exit, at: elapsed(), afterFault: where });
        say(
          `MISMATCH: instance ${exit.name} exited by itself (code ${exit.code}, signal ${exit.signal}; ${where}); ` +
            `its log ${processors.logFile(exit.name)} ends with:\n${exit.logTail}\n  starting it again`,
        );
        if (!processors.running().includes(exit.name)) processors.start(exit.name);
      },
    );
    fleet = processors;

    await admin.connect();
    await admin.createTopics({
      topics: [contracts.accounts, contracts.notices].map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
      })),
      waitForLeaders: true,
    });
    const codec = new EventCodec({
      registryUrl: infraSettings().schemaRegistryUrl,
      events: [contracts.Deposited, contracts.Withdrawn, contracts.BalanceChanged] as EventType[],
    });
    await codec.registerAll();
    const encode = async (record: InputRecord): Promise<Message> => {
      const r =
        record.kind === 'undecodable' ? record : { ...record.event, accountId: record.event.data.accountId };
      const type = contracts[r.type];
      const headers = envelopeToHeaders(
        newEnvelope({ id: r.id, type: type.type, source: '/chaos/ledger', subject: r.accountId }),
      );
      const value =
        record.kind === 'undecodable' ? record.value : await codec.encode(type, record.event.data);
      return { key: r.accountId, value, headers };
    };
    /** Rows of processed_events; undefined while the database does not answer (it may be restarting). */
    const applied = async (): Promise<number | undefined> => {
      try {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from processed_events`.execute(
          verifierDb,
        );
        return rows[0]?.n ?? 0;
      } catch {
        return undefined;
      }
    };
    /** Every running instance has finished starting: it registered itself (its PID) in fleet.instances. */
    const allStarted = async (): Promise<boolean> => {
      const pids = [...processors.pids().values()];
      if (pids.length === 0) return false;
      try {
        const { rows } = await sql<{ pid: number }>`
          select distinct pid from fleet.instances where pid = any(${pids}::int[])`.execute(verifierDb);
        return rows.length === pids.length;
      } catch {
        return false;
      }
    };
    const waitUntilStarted = async (): Promise<boolean> => {
      const deadline = performance.now() + READY_LIMIT_MS;
      while (performance.now() < deadline) {
        if (await allStarted()) return true;
        await sleep(100);
      }
      return false;
    };

    processors.start('a');

    // The sender: a steady rate, at most about two segments ahead of the fault schedule, so faults
    // are spread over the stream and every fault meets records still arriving.
    const total = input.records.length;
    const segment = total / (schedule.length + 1);
    let sent = 0;
    let faultsStarted = 0;
    let timingRecovery = false;
    let lastSentAt = performance.now();
    let sendsInFlight = 0;
    let sendWaiters: (() => void)[] = [];
    /** Resolves when the sender next hands records to the producer (a broker kill lands mid-send). */
    const nextSend = () => new Promise<void>((resolve) => sendWaiters.push(resolve));
    const chunkSize = Math.max(10, Math.round(options.rate / 5));
    const sender = (async () => {
      let producer: Producer | undefined;
      const sendStarted = performance.now();
      for (let i = 0; i < total; i += chunkSize) {
        // While a fault's recovery is being timed, a few records more may go: recovery = the processed
        // count moving past its value after the fault, so records must keep coming even when the
        // processors had caught up with the sender.
        while (
          faultsStarted < schedule.length &&
          i >= segment * (faultsStarted + 2) + (timingRecovery ? 2 * chunkSize : 0)
        )
          await sleep(100);
        const due = sendStarted + (i / options.rate) * 1000;
        if (due > performance.now()) await sleep(due - performance.now());
        const messages = await Promise.all(input.records.slice(i, i + chunkSize).map(encode));
        for (let attempt = 1; ; attempt++) {
          try {
            if (!producer) {
              producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
              await producer.connect();
            }
            sendsInFlight++;
            const sending = producer.send({ topic: contracts.accounts.name, messages, acks: -1 });
            const waiters = sendWaiters;
            sendWaiters = [];
            for (const w of waiters) w();
            try {
              await sending;
            } finally {
              sendsInFlight--;
            }
            break;
          } catch (error) {
            // The broker is restarting or was killed: a new producer, the same records again
            // (duplicates on the wire are fine: same IDs); the verification counts what is on the topic.
            if (attempt === 1) say(`send failed (${(error as Error).message}); retrying`);
            await producer?.disconnect().catch(() => {});
            producer = undefined;
            await sleep(1_000);
          }
        }
        sent = Math.min(total, i + chunkSize);
        lastSentAt = performance.now();
      }
      await producer?.disconnect().catch(() => {});
      for (const w of sendWaiters.splice(0)) w();
    })();

    const ticker = setInterval(
      () =>
        void applied().then((n) =>
          say(
            `sent ${sent}/${total}, applied ${n ?? '?'}/${oracle.applied}, instances ${processors.running().join(',') || '-'}, faults ${faultsStarted}/${schedule.length}`,
          ),
        ),
      10_000,
    );

    // The faults, one after another; each is verified to have taken effect, then timed until the
    // processed count moves again.
    const faultLog: FaultRecord[] = [];
    const noEffect = new Map<FaultKind, number>();
    const gracefulStops: { name: string; code: number | null; timedOut: boolean }[] = [];
    let backendsTerminated = 0;
    let brokerKillsMidSend = 0;
    let restarting: Promise<void> = Promise.resolve();
    const restartAfter = (name: string, ms: number) => {
      restarting = sleep(ms).then(() => {
        if (!processors.running().includes(name)) processors.start(name);
      });
    };
    const inject = async (fault: Fault): Promise<Injected> => {
      switch (fault.kind) {
        case 'kill': {
          const running = processors.running();
          const target = running[Math.floor(fault.pick * running.length)];
          if (!target) return { tookEffect: false, what: 'no instance running to kill' };
          const exit = await processors.kill(target);
          restartAfter(target, fault.downMs);
          return {
            tookEffect: exit.signal === 'SIGKILL',
            what: `SIGKILL ${target} (${exit.signal ?? `exit ${exit.code}`}), restart in ${fault.downMs} ms`,
          };
        }
        case 'broker-restart': {
          const before = broker?.pid();
          await broker?.restart();
          const after = broker?.pid();
          return {
            tookEffect: before !== undefined && after !== undefined && before !== after,
            what: `broker stopped (SIGTERM) and started: pid ${before ?? '?'} → ${after ?? '?'}`,
          };
        }
        case 'broker-kill': {
          // Mid-write: in the same tick in which the sender hands a batch to the producer, before
          // any answer can arrive (the instances are fetching and committing all along). kill()
          // sends the SIGKILL synchronously, before its first await.
          const handed = await Promise.race([nextSend().then(() => true), sleep(5_000).then(() => false)]);
          const midSend = handed && sendsInFlight > 0;
          const killing = broker?.kill();
          if (midSend) brokerKillsMidSend++;
          const killed = await killing;
          const down = performance.now();
          await broker?.up();
          const after = broker?.pid();
          return {
            tookEffect: killed !== undefined && after !== undefined && after !== killed,
            what:
              `broker JVM SIGKILLed (pid ${killed}) ${midSend ? 'with a produce request in flight (not acknowledged)' : 'with no produce request in flight (the sender sent nothing for 5 s)'}, ` +
              `started again after ${round((performance.now() - down) / 1000)} s (pid ${after ?? '?'})`,
          };
        }
        case 'pg-terminate': {
          const n = await terminateBackends(adminDb, PROCESSOR, cluster?.database ?? '');
          backendsTerminated += n;
          return { tookEffect: n > 0, what: `${n} backends terminated` };
        }
        case 'pg-restart': {
          const r = await (cluster as ChaosPostgres).crashRestart();
          return {
            tookEffect: r.before !== undefined && r.after !== undefined && r.before !== r.after,
            what: `PostgreSQL stopped -m immediate and started (${round(r.downSeconds)} s to accept connections): postmaster ${r.before ?? '?'} → ${r.after ?? '?'}`,
          };
        }
        case 'instance-add': {
          if (processors.running().includes('b'))
            return { tookEffect: false, what: 'instance b already runs' };
          processors.start('b');
          const ready = await waitUntilStarted();
          return {
            tookEffect: ready,
            what: ready ? 'instance b started and registered' : 'instance b did not finish starting in 60 s',
          };
        }
        case 'instance-remove': {
          if (!processors.running().includes('b'))
            return { tookEffect: false, what: 'instance b is not running' };
          const exit = await processors.stop('b');
          gracefulStops.push({ name: 'b', code: exit.code, timedOut: exit.timedOut });
          return {
            tookEffect: true,
            what: `instance b stopped (SIGTERM): ${exit.timedOut ? 'did not exit in 30 s, SIGKILLed' : `exit ${exit.code ?? exit.signal}`}`,
          };
        }
      }
    };
    try {
      for (const [k, fault] of schedule.entries()) {
        while (sent < Math.min(total, segment * (k + 0.5))) await sleep(100);
        await sleep(fault.gapMs);
        await restarting;
        // Faults hit running instances, not ones still starting (a start that meets a dead database
        // or broker fails by design: a supervisor would start it again).
        if (!(await waitUntilStarted()))
          say(`fault ${k + 1}: an instance has not finished starting after 60 s`);
        const t0 = performance.now();
        const at = elapsed();
        faultsStarted++; // the sender goes on: records keep arriving while the fault lasts
        let result: Injected = { tookEffect: false, what: '' };
        let attempts = 0;
        const maxAttempts = fault.kind === 'pg-terminate' ? TERMINATE_ATTEMPTS : 1;
        while (attempts < maxAttempts) {
          attempts++;
          lastFault = { label: `during fault ${k + 1} ${fault.kind}` };
          result = await inject(fault).catch((error: Error) => ({
            tookEffect: false,
            what: `failed: ${error.message.split('\n')[0]}`,
          }));
          if (result.tookEffect) break;
          noEffect.set(fault.kind, (noEffect.get(fault.kind) ?? 0) + 1);
          say(`fault ${k + 1} ${fault.kind}: attempted, no effect (${result.what})`);
          if (attempts < maxAttempts) await sleep(500);
        }
        const actionSeconds = round((performance.now() - t0) / 1000);
        lastFault = { label: `fault ${k + 1} ${fault.kind}`, endedAt: elapsed() };
        const record: FaultRecord = {
          n: k + 1,
          kind: fault.kind,
          at,
          what: result.what,
          tookEffect: result.tookEffect,
          attempts,
          actionSeconds,
          recoverySeconds: undefined,
        };
        faultLog.push(record);
        if (!result.tookEffect) {
          say(
            `fault ${k + 1}/${schedule.length} ${fault.kind}: NO EFFECT after ${attempts} attempt(s); not counted`,
          );
          continue;
        }
        let base = await applied();
        while (base === undefined && performance.now() - t0 < RECOVERY_LIMIT_MS) {
          await sleep(100);
          base = await applied();
        }
        timingRecovery = true; // records sent from now on come after `base`
        const deadline = t0 + RECOVERY_LIMIT_MS;
        while (base !== undefined && performance.now() < deadline) {
          const n = await applied();
          if (n !== undefined && (n > base || (sent === total && n >= oracle.applied))) {
            record.recoverySeconds = round((performance.now() - t0) / 1000);
            break;
          }
          await sleep(100);
        }
        timingRecovery = false;
        if (record.recoverySeconds === undefined)
          say(
            `fault ${k + 1} ${fault.kind}: ${result.what}; NOT recovered within ${RECOVERY_LIMIT_MS / 1000} s`,
          );
        else
          say(
            `fault ${k + 1}/${schedule.length} ${fault.kind}: ${result.what}; processing again after ${record.recoverySeconds} s`,
          );
      }
      await restarting;
      await sender;
    } finally {
      clearInterval(ticker);
    }
    lastFault = { label: 'the end of the schedule', endedAt: elapsed() };

    // Idle: everything applied, no lag, outbox empty (or the timeout; then the checks say what is off).
    const groupLag = async () =>
      (await fetchGroupLag(admin as NonNullable<typeof admin>, PROCESSOR, [contracts.accounts.name])).reduce(
        (n, l) => n + l.lag,
        0,
      );
    const outboxRows = async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(verifierDb);
      return rows[0]?.n ?? 0;
    };
    const idleDeadline = performance.now() + (options.mode === 'quick' ? 90_000 : 300_000);
    for (;;) {
      const idle =
        ((await applied()) ?? -1) >= oracle.applied &&
        (await groupLag().catch(() => 1)) === 0 &&
        (await outboxRows().catch(() => 1)) === 0;
      if (idle) break;
      if (performance.now() > idleDeadline) {
        say('not idle before the deadline; verifying anyway');
        break;
      }
      await sleep(250);
    }
    await sleep(1_000); // the last DLQ sends and relay deletes settle
    const secondsToIdle = round((performance.now() - lastSentAt) / 1000);
    say(`idle ${secondsToIdle} s after the last record; verifying`);

    const [accounts, deadLetters, notices] = await Promise.all([
      readTopic(kafka, admin, contracts.accounts.name, 120_000),
      readTopic(kafka, admin, deadLetterTopicOf(definition as ProcessorDefinition<unknown>), 120_000).catch(
        () => [],
      ),
      readTopic(kafka, admin, contracts.notices.name, 120_000),
    ]);
    const verification = await verifyRun({
      oracle,
      db: verifierDb,
      admin,
      codec,
      balanceChanged: contracts.BalanceChanged as EventType<ExpectedNotice>,
      groupId: PROCESSOR,
      accountsTopic: contracts.accounts.name,
      accounts,
      deadLetters,
      notices,
    });
    const tookEffect = faultLog.filter((f) => f.tookEffect);
    const recovered = tookEffect.filter((f) => f.recoverySeconds !== undefined);
    const badStops = gracefulStops.filter((s) => s.timedOut || s.code !== 0);
    const checks: Check[] = [
      ...verification.checks,
      {
        // Forgive nothing: a scheduled fault that changed nothing did not test anything; and a run in
        // which no fault took effect is not a chaos run, however clean its data.
        name: 'scheduled faults that took effect',
        expected: schedule.length,
        actual: tookEffect.length,
        mismatches: Math.max(schedule.length - tookEffect.length, tookEffect.length === 0 ? 1 : 0),
        ...(tookEffect.length < schedule.length
          ? {
              detail: `no effect: ${faultLog
                .filter((f) => !f.tookEffect)
                .map((f) => `#${f.n} ${f.kind}`)
                .join(', ')}`,
            }
          : {}),
      },
      {
        name: 'faults after which processing resumed',
        expected: tookEffect.length,
        actual: recovered.length,
        mismatches: tookEffect.length - recovered.length,
      },
      {
        name: 'instance exits nobody caused',
        expected: 0,
        actual: unexpected.length,
        mismatches: unexpected.length,
        ...(unexpected.length
          ? {
              detail: unexpected
                .map((e) => `${e.name} ${e.signal ?? `code ${e.code}`} at ${e.at} s, ${e.afterFault}`)
                .join('; '),
            }
          : {}),
      },
      {
        name: 'graceful stops (SIGTERM) that exited 0 in time',
        expected: gracefulStops.length,
        actual: gracefulStops.length - badStops.length,
        mismatches: badStops.length,
      },
    ];
    const mismatches = checks.reduce((n, c) => n + c.mismatches, 0);
    const stats = faultStats(schedule, faultLog, noEffect);
    passed = mismatches === 0;
    return {
      seed: options.seed,
      mode: options.mode,
      passed,
      events: total,
      input: { ...input.stats, wireRecords: accounts.length },
      faults: Object.fromEntries(faultKinds.map((k) => [k, stats[k].tookEffect])) as Record<
        FaultKind,
        number
      >,
      faultsScheduled: schedule.length,
      faultsTookEffect: tookEffect.length,
      faultStats: stats,
      faultLog,
      maxRecoverySeconds: Math.max(0, ...recovered.map((f) => f.recoverySeconds as number)),
      mismatches,
      checks,
      dlq: verification.dlq.distinct,
      dlqExpected: verification.dlq.expected,
      dlqRecords: verification.dlq.records,
      dlqExtraCopies: verification.dlq.extraCopies,
      notices: verification.notices,
      backendsTerminated,
      brokerKillsMidSend,
      unexpectedExits: unexpected,
      secondsToIdle,
      durationSeconds: elapsed(),
      environment: {
        node: process.versions.node,
        kafka: kafkaVersion(join(logDir, 'kafka.log')) ?? process.env.KAFKA_VERSION ?? '?',
        postgres: await sql<{ v: string }>`select current_setting('server_version') as v`
          .execute(verifierDb)
          .then((r) => r.rows[0]?.v ?? '?')
          .catch(() => '?'),
        cpus: availableParallelism(),
      },
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    closing = true;
    await fleet?.stopAll().catch(() => {});
    await admin?.disconnect().catch(() => {});
    await db?.destroy().catch(() => {});
    const keep = options.keep || !passed;
    if (keep && broker)
      say(
        `kept for inspection: logs ${join(broker.stateDir, 'logs')}` +
          (cluster
            ? `, PostgreSQL ${cluster.dataDir} (log ${cluster.logFile}; start: ${cluster.startCommand})`
            : ''),
      );
    await cluster
      ?.stop(!keep)
      .catch((error: Error) => say(`stopping the chaos PostgreSQL failed: ${error.message}`));
    await broker
      ?.stop(!keep)
      .catch((error: Error) => say(`stopping the chaos broker failed: ${error.message}`));
  }
}

/** The broker's version as it logged it at start ("Kafka version: 4.4.0"). */
function kafkaVersion(logFile: string): string | undefined {
  for (const file of [logFile, `${logFile}.1`]) {
    try {
      const m = /Kafka version: ([\w.-]+)/.exec(readFileSync(file, 'utf8'));
      if (m) return m[1];
    } catch {}
  }
  return undefined;
}
