// One variant of `memory-floor.ts` in a fresh process: imports (and starts) only what the variant
// names, then prints its memory as one JSON line. Nothing else of the benchmark is loaded here.
import { createRequire } from 'node:module';
import type { FloorSample, FloorVariant } from './memory-floor.ts';

const input = JSON.parse(process.env.MEMORY_FLOOR ?? 'null') as {
  variant: FloorVariant;
  readingsTopic: string;
  milestonesTopic: string;
  databaseUrl: string;
  schema: string;
  groupId: string;
  kafkaBrokers: string;
  registryUrl: string;
} | null;
if (!input) throw new Error('MEMORY_FLOOR (JSON) is required');
const { variant } = input;

const settle = async () => {
  // Let start-up timers run, then collect: what stays is the floor, not start-up garbage.
  await new Promise((r) => setTimeout(r, 1_000));
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
};

if (variant.eager) {
  // What @fleet/contracts imported on load before: resolved from its folder, as its modules did.
  const fromContracts = createRequire(new URL('../../packages/contracts/package.json', import.meta.url));
  const { eagerContractsModules } = await import('./memory-floor.ts');
  for (const name of eagerContractsModules) fromContracts(name);
}

let stop: (() => Promise<void>) | undefined;
if (variant.stage === 'runtime') await import('@fleet/processor');
if (variant.stage === 'service') {
  await import('@fleet/processor');
  await import(new URL('../../services/inventory/src/processor.ts', import.meta.url).href);
}
if (variant.stage === 'start' || variant.stage === 'start-http-registration') {
  const { ProcessorRuntime, loadRuntimeConfig } = await import('@fleet/processor');
  const { benchContracts } = await import('./bench-contracts.ts');
  const { benchProcessor } = await import('./bench-processor.ts');
  if (variant.stage === 'start-http-registration') {
    // Prototype: EventCodec registers through the registry client (which loads Ajv, avsc, protobufjs);
    // the same POST over fetch needs none of them.
    const { EventCodec } = await import('@fleet/contracts');
    Object.defineProperty(EventCodec.prototype, 'registry', {
      get() {
        return {
          register: async (schema: { schema: string }, options: { subject: string }) => {
            const res = await fetch(
              `${input.registryUrl}/subjects/${encodeURIComponent(options.subject)}/versions`,
              {
                method: 'POST',
                headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
                body: JSON.stringify({ schemaType: 'JSON', schema: schema.schema }),
              },
            );
            if (!res.ok) throw new Error(`registry answered ${res.status}`);
            return (await res.json()) as { id: number };
          },
        };
      },
    });
  }
  const runtime = await ProcessorRuntime.start(
    benchProcessor(benchContracts(input.readingsTopic, input.milestonesTopic)),
    {
      config: loadRuntimeConfig({
        KAFKA_BROKERS: input.kafkaBrokers,
        SCHEMA_REGISTRY_URL: input.registryUrl,
        DATABASE_URL: input.databaseUrl,
        PROCESSOR_DB_SCHEMA: input.schema,
        PROCESSOR_GROUP_ID: input.groupId,
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
      }),
    },
  );
  stop = () => runtime.stop();
}
await settle();
const m = process.memoryUsage();
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sample: FloorSample = {
  rssMb: mb(m.rss),
  heapUsedMb: mb(m.heapUsed),
  heapTotalMb: mb(m.heapTotal),
  externalMb: mb(m.external),
};
await stop?.();
process.stdout.write(`${JSON.stringify(sample)}\n`);
process.exit(0);
