// The rendered manifests agree with the code they run: ports, probe paths, variables (.env.example and
// the services' own configuration schemas), consumer groups, topics and partitions, shutdown bounds,
// commands, Secrets. Reads files only; the services' config loaders run on the manifests' environment.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConsoleConfig } from '@fleet/console';
import { orderCatalog } from '@fleet/contracts/orders';
import { loadConfig as loadIntakeConfig } from '@fleet/order-intake/src/config.ts';
import { loadRuntimeConfig } from '@fleet/processor';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryBudget } from '../../packages/processor/src/memory-budget.ts';
import { compiledStartOf } from '../../packages/service-kit/src/compile/compiled-entry.ts';
import { workspacePackages } from '../../packages/service-kit/src/compile/workspace-packages.ts';
import {
  applyTopicsScript,
  checkCompatScript,
  consoleDeployment,
  inputTopics,
  intake,
  type Manifest,
  preStopSleepSeconds,
  processors,
  runAsUser,
} from './fleet-manifests.ts';
import { committedFiles, committedManifests, repoRoot } from './rendered-files.ts';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const all = committedManifests();
const deployed = all.filter((r) => r.file !== 'secrets.example.yaml');
const find = (kind: string, name: string) =>
  deployed.find((r) => r.manifest.kind === kind && r.manifest.metadata.name === name)?.manifest as
    | (Manifest & { spec: Spec; data?: Record<string, string> })
    | undefined;
const byKind = (kind: string) =>
  deployed.filter((r) => r.manifest.kind === kind).map((r) => r.manifest as Manifest & { spec: Spec });

// Loosely typed views of what the tests read.
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked by the schema test
type Spec = any;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  command: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources: { limits: { memory: string } };
}
const podOf = (workload: { spec: Spec }) =>
  (workload.spec.template?.spec ?? workload.spec.jobTemplate?.spec.template.spec) as {
    containers: Container[];
    initContainers?: Container[];
    terminationGracePeriodSeconds?: number;
    securityContext?: { runAsUser?: number; runAsNonRoot?: boolean };
  };

/**
 * The source a container's command starts in its compiled form: the command is `node
 * --conditions=compiled <package>/dist/<path>.js`, `<package>` is one compile-workspace compiles (the
 * image's build step) and `<package>/src/<path>.ts` exists. dist/ itself is built, never committed.
 */
const compiledPackages = workspacePackages(repoRoot);
function compiledSourceOf(command: readonly string[] | undefined): string {
  const start = compiledStartOf(command ?? []);
  if (!start)
    throw new Error(`${command?.join(' ')}: not node --conditions=compiled <package>/dist/<path>.js`);
  expect(compiledPackages, `${start.package}: compiled by compile-workspace`).toContain(start.package);
  expect(existsSync(join(repoRoot, start.source)), `${start.source} exists`).toBe(true);
  return start.source;
}

// ── What the code and its documentation say ────────────────────────────────────────────────────
/** `NAME=` lines of .env.example. */
const documented = new Set([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
/** Keys of a zod environment schema, as written in its source (`NAME: z…`). */
const schemaKeys = (...files: string[]) =>
  new Set(files.flatMap((f) => [...read(f).matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1] ?? '')));
const connectionKeys = schemaKeys(
  'packages/service-kit/src/connection-env.ts',
  'packages/service-kit/src/kafka-security.ts',
  'packages/service-kit/src/registry-env.ts',
);
const runtimeKeys = new Set([...connectionKeys, ...schemaKeys('packages/processor/src/runtime-config.ts')]);
const intakeKeys = new Set([...connectionKeys, ...schemaKeys('services/order-intake/src/config.ts')]);
/** Variables read outside the schemas: Node's own, and the OpenTelemetry ones telemetry.ts reads. */
// Every service starts tracing through service-kit's runService, the intake included.
const tracingSource = read('packages/service-kit/src/tracing.ts');
const readOutsideSchema = (name: string) =>
  name === 'NODE_OPTIONS' || (name.startsWith('OTEL_') && tracingSource.includes(`env.${name}`));

/** The Secret template: name → keys → example value. */
const secretTemplates = new Map(
  all
    .filter((r) => r.file === 'secrets.example.yaml')
    .map((r) => [
      r.manifest.metadata.name,
      (r.manifest as unknown as { stringData: Record<string, string> }).stringData,
    ]),
);

/** A container's environment as the pod gets it, with the Secret template's example values. */
function effectiveEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const configMap = name ? find('ConfigMap', name) : undefined;
    if (!configMap) throw new Error(`${container.name}: ConfigMap ${name} is not in the manifests`);
    Object.assign(env, configMap.data);
  }
  for (const v of container.env ?? []) {
    const ref = v.valueFrom?.secretKeyRef;
    env[v.name] = ref ? (secretTemplates.get(ref.name)?.[ref.key] ?? '') : (v.value ?? '');
  }
  return env;
}

const processorDeployments = processors.map((p) => {
  const deployment = find('Deployment', p.service);
  if (!deployment) throw new Error(`no Deployment ${p.service}`);
  return { ...p, deployment, container: podOf(deployment).containers[0] as Container };
});

// ── Tests ──────────────────────────────────────────────────────────────────────────────────────

describe('every service of the fleet is deployed', () => {
  it('a Deployment, Service, PodDisruptionBudget and ScaledObject per processor declared in services/*/src/processor.ts', () => {
    const declared = readdirSync(join(repoRoot, 'services')).filter((s) =>
      existsSync(join(repoRoot, 'services', s, 'src', 'processor.ts')),
    );
    expect(processors.map((p) => p.service).sort()).toEqual(declared.sort());
    for (const p of processors)
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'ScaledObject'])
        expect(find(kind, p.service), `${kind}/${p.service}`).toBeDefined();
  });

  it('order-intake behind its own Service, autoscaled, with its Redis', () => {
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler'])
      expect(find(kind, intake.service), kind).toBeDefined();
    expect(find('Deployment', 'order-intake-redis')).toBeDefined();
    expect(find('Service', 'order-intake-redis')?.spec.ports[0].port).toBe(6379);
  });

  it('each container runs its service compiled: `node --conditions=compiled services/<name>/dist/main.js`, the console its own', () => {
    for (const d of byKind('Deployment').filter((m) => m.metadata.name !== 'order-intake-redis')) {
      const [container] = podOf(d).containers;
      const main =
        d.metadata.name === consoleDeployment.service
          ? 'console/src/main.ts'
          : `services/${d.metadata.name}/src/main.ts`;
      expect(compiledSourceOf(container?.command), d.metadata.name).toBe(main);
    }
  });

  it("runs as the image's numeric non-root user (Dockerfile USER)", () => {
    const user = /^USER\s+(\d+)/m.exec(read('Dockerfile'))?.[1];
    expect(Number(user), 'Dockerfile USER <uid>').toBe(runAsUser);
    for (const d of [...byKind('Deployment'), ...byKind('Job')]) {
      const security = podOf(d).securityContext;
      expect(security?.runAsNonRoot, d.metadata.name).toBe(true);
      if (d.metadata.name !== 'order-intake-redis')
        expect(security?.runAsUser, d.metadata.name).toBe(runAsUser);
    }
  });

  it("pulls the intake's Redis with docker-compose.yml's tag", () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: { redis: { image: string } };
    };
    const [redis] = podOf(find('Deployment', 'order-intake-redis') as Manifest & { spec: Spec }).containers;
    expect(redis?.name).toBe('redis');
    expect((redis as unknown as { image: string }).image).toBe(compose.services.redis.image);
  });
});

describe('ports and probes', () => {
  const probeRoutes = {
    processor: read('packages/processor/src/http-server.ts'),
    intake: read('services/order-intake/src/routes/ops-routes.ts'),
  };
  const services = [
    ...processorDeployments.map((p) => ({
      name: p.service,
      port: p.httpPort,
      internalPort: p.internalPort as number | undefined,
      container: p.container,
      routes: probeRoutes.processor,
      config: () => loadRuntimeConfig(effectiveEnv(p.container)).http.port,
      internalConfig: () => loadRuntimeConfig(effectiveEnv(p.container)).http.internal.port,
    })),
    {
      name: intake.service,
      port: intake.port,
      internalPort: undefined,
      internalConfig: () => undefined,
      container: podOf(find('Deployment', intake.service) as Manifest & { spec: Spec })
        .containers[0] as Container,
      routes: probeRoutes.intake,
      config: () =>
        loadIntakeConfig(
          effectiveEnv(
            podOf(find('Deployment', intake.service) as Manifest & { spec: Spec }).containers[0] as Container,
          ),
        ).http.port,
    },
  ];

  it.each(services.map((s) => [s.name, s] as const))(
    '%s: container ports = declared ports = what its config loader reads = Service targets',
    (_name, s) => {
      expect(s.port, 'declared port').toBeGreaterThan(0);
      const internal = s.internalPort
        ? [{ name: 'internal', containerPort: s.internalPort, protocol: 'TCP' }]
        : [];
      expect(s.container.ports).toEqual([
        { name: 'http', containerPort: s.port, protocol: 'TCP' },
        ...internal,
      ]);
      expect(s.config(), 'HTTP_PORT as the service reads it').toBe(s.port);
      expect(s.internalConfig(), 'INTERNAL_HTTP_PORT as the service reads it').toBe(s.internalPort);
      expect(find('Service', s.name)?.spec.ports).toEqual([
        { name: 'http', port: s.port, targetPort: 'http', protocol: 'TCP' },
      ]);
      if (s.internalPort)
        expect(find('Service', `${s.name}-internal`)?.spec.ports).toEqual([
          { name: 'internal', port: s.internalPort, targetPort: 'internal', protocol: 'TCP' },
        ]);
    },
  );

  it.each(services.map((s) => [s.name, s] as const))(
    '%s: readiness on /readyz, liveness and start-up on /healthz (a processor: on its internal listener), routes the service serves',
    (_name, s) => {
      const port = s.internalPort ? 'internal' : 'http';
      expect(s.container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port });
      expect(s.container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port });
      expect(s.container.startupProbe?.httpGet).toEqual({ path: '/healthz', port });
      for (const path of ['/readyz', '/healthz']) expect(s.routes).toContain(`app.get('${path}'`);
    },
  );

  it('a processor answers its probes on the internal listener only, bound where kubelet reaches it', () => {
    for (const p of processorDeployments) {
      const env = effectiveEnv(p.container);
      expect(loadRuntimeConfig(env).http.internal.host, p.service).toBe('0.0.0.0');
      expect(find('Service', `${p.service}-internal`)?.spec.selector).toEqual(
        find('Service', p.service)?.spec.selector,
      );
    }
  });

  it('Services, PodDisruptionBudgets and autoscalers select or target the Deployments', () => {
    for (const d of byKind('Deployment')) {
      const labels = d.spec.template.metadata.labels as Record<string, string>;
      const matches = (selector: Record<string, string>) =>
        Object.entries(selector).every(([k, v]) => labels[k] === v);
      expect(matches(d.spec.selector.matchLabels), `${d.metadata.name} selector`).toBe(true);
      expect(matches(find('Service', d.metadata.name)?.spec.selector), `Service/${d.metadata.name}`).toBe(
        true,
      );
      const pdb = find('PodDisruptionBudget', d.metadata.name);
      if (pdb) expect(matches(pdb.spec.selector.matchLabels), `PDB/${d.metadata.name}`).toBe(true);
    }
    for (const a of [...byKind('ScaledObject'), ...byKind('HorizontalPodAutoscaler')]) {
      const target = find('Deployment', a.spec.scaleTargetRef.name);
      expect(target, `${a.kind}/${a.metadata.name} target`).toBeDefined();
      // The autoscaler owns the replica count; an applied one would undo its decisions.
      expect(target?.spec.replicas, `${a.spec.scaleTargetRef.name} replicas`).toBeUndefined();
    }
  });
});

describe('variables', () => {
  const containers = [
    ...processorDeployments.map((p) => ({ service: p.service, container: p.container, keys: runtimeKeys })),
    {
      service: intake.service,
      container: podOf(find('Deployment', intake.service) as Manifest & { spec: Spec })
        .containers[0] as Container,
      keys: intakeKeys,
    },
  ];

  it('the schema sources were read (guards the key extraction below)', () => {
    for (const name of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'SCHEMA_REGISTRY_PASSWORD'])
      expect(connectionKeys).toContain(name);
    for (const name of ['DATABASE_URL', 'PROCESSOR_SHUTDOWN_TIMEOUT_MS', 'INTERNAL_HTTP_PORT'])
      expect(runtimeKeys).toContain(name);
    for (const name of ['REDIS_URL', 'INTAKE_SHUTDOWN_TIMEOUT', 'INTAKE_TRUST_PROXY'])
      expect(intakeKeys).toContain(name);
  });

  it.each(containers.map((c) => [c.service, c] as const))(
    '%s: every variable is in .env.example and read by the service',
    (_name, c) => {
      const names = Object.keys(effectiveEnv(c.container));
      expect(
        names.filter((n) => !documented.has(n)),
        'not in .env.example',
      ).toEqual([]);
      expect(
        names.filter((n) => !c.keys.has(n) && !readOutsideSchema(n)),
        'not read by the service',
      ).toEqual([]);
    },
  );

  it.each(processorDeployments.map((p) => [p.service, p] as const))(
    '%s: the runtime accepts the environment (with the Secret template), same group and schema as its name',
    (_name, p) => {
      const config = loadRuntimeConfig(effectiveEnv(p.container));
      expect(
        config.processing.groupId,
        'PROCESSOR_GROUP_ID is for rebuilds, not deployments',
      ).toBeUndefined();
      expect(config.processing.dbSchema).toBeUndefined();
      expect(config.processing.replay).toBe(false);
      expect(config.http.host).toBe('0.0.0.0');
    },
  );

  it('order-intake accepts its environment and shares its rate limits through Redis', () => {
    const container = containers.at(-1)?.container as Container;
    const config = loadIntakeConfig(effectiveEnv(container));
    expect(config.redisUrl).toMatch(/^redis:\/\/order-intake-redis:6379/);
    expect(effectiveEnv(container).INTAKE_API_KEYS, 'keys from their Secret').toBeDefined();
  });

  it('the console accepts its environment: every variable documented, on all interfaces, its port and tokens from Secrets', () => {
    const deployment = find('Deployment', consoleDeployment.service) as Manifest & { spec: Spec };
    const container = podOf(deployment).containers[0] as Container;
    const env = effectiveEnv(container);
    expect(
      Object.keys(env).filter((n) => !documented.has(n)),
      'not in .env.example',
    ).toEqual([]);
    const config = loadConsoleConfig(env);
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(consoleDeployment.port);
    expect(container.ports).toEqual([
      { name: 'http', containerPort: consoleDeployment.port, protocol: 'TCP' },
    ]);
    expect(find('Service', consoleDeployment.service)?.spec.ports[0].port).toBe(consoleDeployment.port);
    expect(config.tokens.map((t) => [t.role, t.name])).toEqual([
      ['read', 'viewer'],
      ['write', 'operator'],
    ]);
    expect(config.adminToken, "the processors' admin token").toBeDefined();
    expect(config.secureCookie).toBe(true);
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe])
      expect(probe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(read('console/src/server.ts')).toContain("app.get('/healthz'");
  });

  it('credentials come from Secrets only: no ConfigMap holds one, every referenced key is in the template', () => {
    const credential = /PASSWORD|TOKEN|SECRET|USERNAME|^DATABASE_URL$|^REDIS_URL$/;
    for (const configMap of byKind('ConfigMap'))
      expect(
        Object.keys(configMap.data ?? {}).filter((k) => credential.test(k)),
        configMap.metadata.name,
      ).toEqual([]);
    for (const d of [...byKind('Deployment'), ...byKind('Job')])
      for (const c of [...podOf(d).containers, ...(podOf(d).initContainers ?? [])]) {
        for (const v of c.env ?? []) {
          if (credential.test(v.name)) expect(v.valueFrom?.secretKeyRef, `${c.name} ${v.name}`).toBeDefined();
          const ref = v.valueFrom?.secretKeyRef;
          if (ref) expect(Object.keys(secretTemplates.get(ref.name) ?? {}), `${ref.name}`).toContain(ref.key);
        }
        expect(
          (c.envFrom ?? []).filter((s) => s.secretRef),
          `${c.name}: name each secret variable`,
        ).toEqual([]);
      }
  });

  it('the heap budget (NODE_OPTIONS) stays well under the memory limit', () => {
    for (const d of [...byKind('Deployment'), ...byKind('Job')])
      for (const c of [...podOf(d).containers, ...(podOf(d).initContainers ?? [])]) {
        const options = c.env?.find((v) => v.name === 'NODE_OPTIONS')?.value;
        if (c.name === 'redis') continue;
        const heap = Number(/--max-old-space-size=(\d+)/.exec(options ?? '')?.[1]);
        const limit = Number(/^(\d+)Mi$/.exec(c.resources.limits.memory)?.[1]);
        expect(heap, `${c.name} heap`).toBeGreaterThan(0);
        expect(heap, `${c.name}: heap ${heap} MiB vs limit ${limit} Mi`).toBeLessThanOrEqual(limit * 0.75);
      }
  });

  it("a processor's memory is one setting: PROCESSOR_MEMORY_BUDGET_MB under its limit, its heap flags derived from it", () => {
    for (const p of processorDeployments) {
      const env = effectiveEnv(p.container);
      const budget = Number(env.PROCESSOR_MEMORY_BUDGET_MB);
      const limit = Number(/^(\d+)Mi$/.exec(p.container.resources.limits.memory)?.[1]);
      expect(budget, p.service).toBeGreaterThan(0);
      expect(budget, `${p.service}: budget ${budget} vs limit ${limit} Mi`).toBeLessThanOrEqual(limit * 0.9);
      expect(env.NODE_OPTIONS, p.service).toBe(memoryBudget(budget).nodeFlags.join(' '));
      // The runtime takes the fetch sizes from the same budget.
      const { fetch } = loadRuntimeConfig(env).processing;
      expect([fetch.maxBytes, fetch.maxBytesPerPartition], p.service).toEqual([
        memoryBudget(budget).fetchMaxBytes,
        memoryBudget(budget).fetchMaxBytesPerPartition,
      ]);
    }
  });
});

describe('graceful stop', () => {
  const stops = [
    ...processorDeployments.map((p) => ({
      name: p.service,
      deployment: p.deployment,
      shutdownMs: loadRuntimeConfig(effectiveEnv(p.container)).processing.shutdownTimeoutMs,
    })),
    {
      name: intake.service,
      deployment: find('Deployment', intake.service) as Manifest & { spec: Spec },
      shutdownMs: loadIntakeConfig(
        effectiveEnv(
          podOf(find('Deployment', intake.service) as Manifest & { spec: Spec }).containers[0] as Container,
        ),
      ).shutdownTimeoutMs,
    },
  ];

  it.each(stops.map((s) => [s.name, s] as const))(
    '%s: terminationGracePeriodSeconds > preStop + the shutdown timeout the service reads',
    (_name, s) => {
      const pod = podOf(s.deployment);
      const preStop = pod.containers[0]?.lifecycle?.preStop?.sleep?.seconds;
      expect(preStop).toBe(preStopSleepSeconds);
      expect(s.shutdownMs).toBeGreaterThanOrEqual(1000);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan((preStop ?? 0) + s.shutdownMs / 1000);
    },
  );

  it('the runtime default is what the manifests assume when PROCESSOR_SHUTDOWN_TIMEOUT_MS is unset', () => {
    const env = effectiveEnv(processorDeployments[0]?.container as Container);
    delete env.PROCESSOR_SHUTDOWN_TIMEOUT_MS;
    const pod = podOf(processorDeployments[0]?.deployment as Manifest & { spec: Spec });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
      preStopSleepSeconds + loadRuntimeConfig(env).processing.shutdownTimeoutMs / 1000,
    );
  });
});

describe('lag-driven autoscaling (KEDA kafka triggers)', () => {
  const kafkaScaler = JSON.parse(read('deploy/schemas/keda-2.20.2/kafka-scaler-parameters.json')) as {
    triggerMetadata: string[];
    triggerMetadataFromEnv: string[];
    authParams: string[];
  };
  const declaredTopics = new Map(orderCatalog.topics().map((t) => [t.name, t]));
  const scaled = processorDeployments.map((p) => ({
    ...p,
    scaledObject: find('ScaledObject', p.service) as Manifest & { spec: Spec },
  }));

  it.each(scaled.map((s) => [s.service, s] as const))(
    '%s: the consumer group is the processor name, one trigger per topic it consumes',
    (_name, s) => {
      const triggers = s.scaledObject.spec.triggers as { type: string; metadata: Record<string, string> }[];
      const consumed = [...new Set(s.definition.routes.map((r) => r.event.topic.name))];
      expect(triggers.map((t) => t.type)).toEqual(consumed.map(() => 'kafka'));
      expect(triggers.map((t) => t.metadata.topic).sort()).toEqual(consumed.sort());
      for (const t of triggers) {
        expect(t.metadata.consumerGroup).toBe(s.definition.name);
        expect(declaredTopics.has(t.metadata.topic ?? ''), `topic ${t.metadata.topic} declared`).toBe(true);
        expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
      }
    },
  );

  it.each(scaled.map((s) => [s.service, s] as const))(
    '%s: maxReplicaCount ≤ the partitions of every topic it scales on; minReplicaCount ≥ 1',
    (_name, s) => {
      const { maxReplicaCount, minReplicaCount } = s.scaledObject.spec;
      for (const t of s.scaledObject.spec.triggers)
        expect(maxReplicaCount, t.metadata.topic).toBeLessThanOrEqual(
          declaredTopics.get(t.metadata.topic)?.partitions ?? 0,
        );
      expect(maxReplicaCount).toBe(Math.min(...inputTopics(s.definition).map((t) => t.partitions)));
      expect(minReplicaCount).toBeGreaterThanOrEqual(1);
    },
  );

  it("uses only the kafka scaler's parameters, brokers from the target's own environment", () => {
    const known = new Set([...kafkaScaler.triggerMetadata, ...kafkaScaler.triggerMetadataFromEnv]);
    for (const s of scaled)
      for (const t of s.scaledObject.spec.triggers) {
        expect(
          Object.keys(t.metadata).filter((k) => !known.has(k)),
          s.service,
        ).toEqual([]);
        const brokersFrom = t.metadata.bootstrapServersFromEnv as string;
        expect(effectiveEnv(s.container)[brokersFrom], `${s.service}: ${brokersFrom}`).toMatch(/:\d+/);
        // KEDA's default protocol (1.0.0) is below Kafka 4's floor (2.1).
        expect(t.metadata.version).toMatch(/^([3-9]|[1-9]\d+)\.\d+\.\d+$/);
        expect(find('TriggerAuthentication', t.authenticationRef.name), 'authenticationRef').toBeDefined();
      }
  });

  it('counts a new group from the beginning, as the runtime subscribes (fromBeginning: true)', () => {
    expect(read('packages/processor/src/consumer-supervisor.ts')).toMatch(
      /subscribe\(\{[^}]*fromBeginning: true/,
    );
    for (const s of scaled)
      for (const t of s.scaledObject.spec.triggers) expect(t.metadata.offsetResetPolicy).toBe('earliest');
  });

  it("KEDA's credentials come from the Secret template's keys", () => {
    for (const auth of byKind('TriggerAuthentication'))
      for (const ref of auth.spec.secretTargetRef as { parameter: string; name: string; key: string }[]) {
        expect(kafkaScaler.authParams).toContain(ref.parameter);
        expect(Object.keys(secretTemplates.get(ref.name) ?? {})).toContain(ref.key);
      }
  });
});

describe('before a rollout: the compatibility gate, then the topics', () => {
  const job = find('Job', 'fleet-pre-rollout') as Manifest & { spec: Spec };
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;

  it('runs what `pnpm check-compat` and `pnpm topics` run, compiled, in that order', () => {
    const pod = podOf(job);
    expect(pod.initContainers?.map((c) => compiledSourceOf(c.command))).toEqual([checkCompatScript]);
    expect(pod.containers.map((c) => compiledSourceOf(c.command))).toEqual([applyTopicsScript]);
    expect(scripts['check-compat']).toBe(`node ${checkCompatScript}`);
    expect(scripts.topics).toBe(`node ${applyTopicsScript}`);
  });

  it('gives each step the variable its script reads', () => {
    const [gate] = podOf(job).initContainers ?? [];
    const [topics] = podOf(job).containers;
    expect(read(checkCompatScript)).toContain('process.env.SCHEMA_REGISTRY_URL');
    expect(read(applyTopicsScript)).toContain('process.env.KAFKA_BROKERS');
    expect(effectiveEnv(gate as Container).SCHEMA_REGISTRY_URL).toMatch(/^https?:\/\//);
    expect(effectiveEnv(topics as Container).KAFKA_BROKERS).toMatch(/:\d+/);
  });

  it('fails at once on a compatibility break (exit 1), retries the rest', () => {
    expect(job.spec.podFailurePolicy.rules).toContainEqual({
      action: 'FailJob',
      onExitCodes: { containerName: 'check-compat', operator: 'In', values: [1] },
    });
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
  });
});

describe('kustomizations', () => {
  it('list files that exist, and everything but the Secret template is in one', () => {
    const files = committedFiles();
    const listed = new Set<string>();
    for (const [path, text] of files) {
      if (!path.endsWith('kustomization.yaml')) continue;
      const dir = path.slice(0, path.lastIndexOf('/'));
      for (const resource of (parse(text) as { resources: string[] }).resources) {
        const target = join(dir, resource).replace(/\\/g, '/');
        expect(files.has(target) || files.has(`${target}/kustomization.yaml`), `${path}: ${resource}`).toBe(
          true,
        );
        listed.add(target);
      }
    }
    const objects = [...files.keys()].filter((f) => !f.endsWith('kustomization.yaml'));
    expect(objects.filter((f) => !listed.has(f))).toEqual(['secrets.example.yaml']);
  });
});
