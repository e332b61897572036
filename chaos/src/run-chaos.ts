import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { deadLetterTopicOf, fetchGroupLag, type ProcessorDefinition } from '@fleet/processor';
import { createTestDatabase, infraSettings, readTopic } from '@fleet/testkit';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ledgerContracts, ledgerProcessor } from '../../packages/processor/test/ledger.ts';
import { ChaosBroker } from './chaos-broker.ts';
import { generateInput, type InputRecord } from './chaos-input.ts';
import type { ChaosOptions } from './chaos-options.ts';
import { chaosOracle, type ExpectedNotice } from './chaos-oracle.ts';
import { type ChaosSummary, emptyFaultCounts, recoveryStats, round } from './chaos-summary.ts';
import { type Fault, type FaultKind, faultSchedule } from './fault-schedule.ts';
import { ProcessorFleet } from './processor-fleet.ts';
import { SeededRandom } from './seeded-random.ts';
import { terminateBackends } from './terminate-backends.ts';
import { type LedgerTables, verifyRun } from './verify-run.ts';

const PROCESSOR = 'ledger_chaos';

/**
 * One chaos run: its own broker, database and topics; the ledger processor as child processes; the
 * seeded stream sent at a steady rate while the seeded faults happen one after another, each timed
 * until the processed count moves again; then, once idle, everything checked against the oracle.
 */
export async function runChaos(options: ChaosOptions, log: (line: string) => void): Promise<ChaosSummary> {
  const started = performance.now();
  const elapsed = () => round((performance.now() - started) / 1000);
  const say = (line: string) => log(`[${elapsed().toFixed(1).padStart(6)}s] ${line}`);
  const random = new SeededRandom(options.seed);
  const input = generateInput(random.fork('input'), options, `chaos-${options.seed}`);
  const schedule = faultSchedule(random.fork('faults'), options, options.gapMs);
  const oracle = chaosOracle(input.records, PROCESSOR);
  // How many applied event IDs the first i records hold: "caught up" once everything is sent.
  say(
    `seed ${options.seed} (${options.mode}): ${input.records.length} records, ${schedule.length} faults: ` +
      schedule.map((f) => f.kind).join(' '),
  );

  const broker = await ChaosBroker.start(say);
  const logDir = join(broker.stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const kafka = new Kafka({ clientId: 'chaos', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const contracts = ledgerContracts('chaos.accounts', 'chaos.notices');
  const definition = ledgerProcessor(contracts, PROCESSOR);
  const database = await createTestDatabase('chaos');
  const db = new Kysely<LedgerTables>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: database.url,
        max: 3,
        application_name: 'chaos-verifier',
        options: `-c search_path=${PROCESSOR}`,
      }),
    }),
  });
  const adminDb = db as unknown as Kysely<unknown>;
  let closing = false;
  const fleet = new ProcessorFleet(
    {
      KAFKA_BROKERS: broker.brokers,
      SCHEMA_REGISTRY_URL: infraSettings().schemaRegistryUrl,
      DATABASE_URL: database.url,
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
    (name, code) => {
      if (closing) return;
      say(`instance ${name} exited by itself (code ${code}); starting it again`);
      fleet.start(name);
    },
  );
  let passed = false;
  // Ctrl-C or SIGTERM: no orphans (instances, the broker) are left behind.
  const onSignal = () => {
    closing = true;
    say('interrupted: stopping the instances and the chaos broker');
    void fleet
      .stopAll()
      .then(() => broker.stop(false))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
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
    const applied = async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from processed_events`
        .execute(db)
        .catch(() => ({ rows: [{ n: 0 }] }));
      return rows[0]?.n ?? 0;
    };

    fleet.start('a');

    // The sender: a steady rate, at most about two segments ahead of the fault schedule, so faults
    // are spread over the stream and every fault meets records still arriving.
    const total = input.records.length;
    const segment = total / (schedule.length + 1);
    let sent = 0;
    let faultsStarted = 0;
    let lastSentAt = performance.now();
    const chunkSize = Math.max(10, Math.round(options.rate / 5));
    const sender = (async () => {
      let producer: Producer | undefined;
      const sendStarted = performance.now();
      for (let i = 0; i < total; i += chunkSize) {
        while (faultsStarted < schedule.length && i >= segment * (faultsStarted + 2)) await sleep(100);
        const due = sendStarted + (i / options.rate) * 1000;
        if (due > performance.now()) await sleep(due - performance.now());
        const messages = await Promise.all(input.records.slice(i, i + chunkSize).map(encode));
        for (let attempt = 1; ; attempt++) {
          try {
            if (!producer) {
              producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
              await producer.connect();
            }
            await producer.send({ topic: contracts.accounts.name, messages, acks: -1 });
            break;
          } catch (error) {
            // The broker is restarting: a new producer, the same records again (duplicates on the
            // wire are fine: same IDs); the verification counts what really is on the topic.
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
    })();

    const ticker = setInterval(
      () =>
        void applied().then((n) =>
          say(
            `sent ${sent}/${total}, applied ${n}/${oracle.applied}, instances ${fleet.running().join(',') || '-'}, faults ${faultsStarted}/${schedule.length}`,
          ),
        ),
      10_000,
    );

    // The faults, one after another; each is timed until the processed count moves again.
    const faults = emptyFaultCounts();
    const recoveries = new Map<FaultKind, number[]>();
    const actions = new Map<FaultKind, number[]>();
    let unrecovered = 0;
    let backendsTerminated = 0;
    let restarting: Promise<void> = Promise.resolve();
    const inject = async (fault: Fault): Promise<string> => {
      switch (fault.kind) {
        case 'kill': {
          const running = fleet.running();
          const target = running[Math.floor(fault.pick * running.length)] ?? 'a';
          await fleet.kill(target);
          restarting = sleep(fault.downMs).then(() => fleet.start(target));
          return `SIGKILL ${target}, restart in ${fault.downMs} ms`;
        }
        case 'broker-restart':
          await broker.restart();
          return 'broker stopped and started';
        case 'pg-terminate': {
          const n = await terminateBackends(adminDb, PROCESSOR, database.name);
          backendsTerminated += n;
          return `${n} backends terminated`;
        }
        case 'instance-add':
          fleet.start('b');
          return 'instance b started';
        case 'instance-remove':
          await fleet.stop('b');
          return 'instance b stopped (SIGTERM)';
      }
    };
    try {
      for (const [k, fault] of schedule.entries()) {
        while (sent < Math.min(total, segment * (k + 0.5))) await sleep(100);
        await sleep(fault.gapMs);
        await restarting;
        const t0 = performance.now();
        faultsStarted++; // the sender goes on: records keep arriving while the fault lasts
        const what = await inject(fault);
        faults[fault.kind]++;
        actions.set(fault.kind, [...(actions.get(fault.kind) ?? []), (performance.now() - t0) / 1000]);
        const base = await applied();
        let recoveredAt: number | undefined;
        const deadline = performance.now() + 180_000;
        while (performance.now() < deadline) {
          const n = await applied();
          if (n > base || (sent === total && n >= oracle.applied)) {
            recoveredAt = performance.now();
            break;
          }
          await sleep(100);
        }
        if (recoveredAt === undefined) {
          unrecovered++;
          say(`fault ${k + 1} ${fault.kind}: ${what}; NOT recovered within 180 s`);
        } else {
          const seconds = (recoveredAt - t0) / 1000;
          recoveries.set(fault.kind, [...(recoveries.get(fault.kind) ?? []), seconds]);
          say(
            `fault ${k + 1}/${schedule.length} ${fault.kind}: ${what}; processing again after ${seconds.toFixed(1)} s`,
          );
        }
      }
      await restarting;
      await sender;
    } finally {
      clearInterval(ticker);
    }

    // Idle: everything applied, no lag, outbox empty (or the timeout; then the checks say what is off).
    const groupLag = async () =>
      (await fetchGroupLag(admin, PROCESSOR, [contracts.accounts.name])).reduce((n, l) => n + l.lag, 0);
    const outboxRows = async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db);
      return rows[0]?.n ?? 0;
    };
    const idleDeadline = performance.now() + (options.mode === 'quick' ? 90_000 : 300_000);
    for (;;) {
      const idle =
        (await applied()) >= oracle.applied &&
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
      db,
      admin,
      codec,
      balanceChanged: contracts.BalanceChanged as EventType<ExpectedNotice>,
      groupId: PROCESSOR,
      accountsTopic: contracts.accounts.name,
      accounts,
      deadLetters,
      notices,
    });
    const checks = [
      ...verification.checks,
      {
        name: 'faults after which processing resumed',
        expected: schedule.length,
        actual: schedule.length - unrecovered,
        mismatches: unrecovered,
      },
    ];
    const mismatches = checks.reduce((n, c) => n + c.mismatches, 0);
    const recovery = recoveryStats(recoveries, actions);
    passed = mismatches === 0;
    return {
      seed: options.seed,
      mode: options.mode,
      events: total,
      input: { ...input.stats, wireRecords: accounts.length },
      faults,
      recovery,
      maxRecoverySeconds: Math.max(0, ...Object.values(recovery).map((r) => r.maxSeconds)),
      mismatches,
      checks,
      dlq: verification.dlq.distinct,
      dlqExpected: verification.dlq.expected,
      dlqRecords: verification.dlq.records,
      dlqExtraCopies: verification.dlq.extraCopies,
      notices: verification.notices,
      backendsTerminated,
      unexpectedExits: fleet.unexpectedExits,
      secondsToIdle,
      durationSeconds: elapsed(),
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    closing = true;
    await fleet.stopAll().catch(() => {});
    await admin.disconnect().catch(() => {});
    await db.destroy().catch(() => {});
    const keep = options.keep || !passed;
    if (keep) say(`kept for inspection: database ${database.name}, logs ${logDir}`);
    else await database.drop().catch(() => {});
    await broker
      .stop(!keep)
      .catch((error: Error) => say(`stopping the chaos broker failed: ${error.message}`));
  }
}
