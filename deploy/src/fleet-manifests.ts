// The fleet on Kubernetes, as data: the single source of the manifests under deploy/k8s (rendered by
// `./fleetw manifests`; a unit test fails when the files and this module disagree). Ports, consumer
// groups and topics come from the services' own declarations, not from copies.
import { orderCatalog } from '@fleet/contracts/orders';
import { inventory } from '@fleet/inventory';
import { orderLifecycle } from '@fleet/order-lifecycle/src/processor.ts';
import { orderView } from '@fleet/order-view/src/processor.ts';
import { paymentsProcessor } from '@fleet/payments';
import { defaultRulesFile, loadPaymentRules } from '@fleet/payments/load-payment-rules';
import { deploymentSettings, internalPortFor, type ProcessorDefinition } from '@fleet/processor';
import { salesAnalytics } from '@fleet/sales-analytics/src/processor.ts';
import { memoryBudget } from '../../packages/processor/src/memory-budget.ts';
import { compiledCommand } from '../../packages/service-kit/src/compile/compiled-entry.ts';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

/** One file of rendered manifests, relative to deploy/k8s. */
export interface ManifestFile {
  path: string;
  manifests: Manifest[];
}

// ── Settings of the base (an overlay changes them; docs/deployment.md) ──────────────────────────
/** The image built from ./Dockerfile; `kustomize edit set image kafka-fleet=<registry>/kafka-fleet:<tag>`. */
export const image = 'kafka-fleet:local';
/** Same tag as docker-compose.yml's redis. */
export const redisImage = 'redis:8.10-alpine';
/** The `node` user of the official Node image: numeric, so that `runAsNonRoot` can be verified. */
export const runAsUser = 1000;
/** The `redis` user of the Redis alpine image. */
const redisUser = 999;
/** preStop: how long a pod keeps running after it was marked for deletion, before SIGTERM. */
export const preStopSleepSeconds = 5;
/** Added to preStop + the service's own shutdown bound, so kubelet's SIGKILL never cuts a graceful stop. */
export const terminationMarginSeconds = 10;
/** KEDA's kafka scaler speaks the protocol of this broker version (its 1.0.0 default predates Kafka 4's floor of 2.1). */
export const kafkaProtocolVersion = '4.0.0';

/** Variables every service reads, the same for all (ConfigMap `fleet-config`). */
export const fleetConfig: Record<string, string> = {
  KAFKA_BROKERS: 'kafka-bootstrap:9092',
  KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT',
  KAFKA_SASL_MECHANISM: '',
  SCHEMA_REGISTRY_URL: 'http://schema-registry:8080/apis/ccompat/v7',
  HTTP_HOST: '0.0.0.0',
  LOG_LEVEL: 'info',
};

/** What the processors read besides (ConfigMap `fleet-processor-config`); the rest keep their defaults. */
export const processorConfig: Record<string, string> = {
  DATABASE_SSL: 'disable',
  DATABASE_POOL_MAX: '10',
  // The query API's own pool, so that a burst of reads cannot take the consumer's connections.
  DATABASE_QUERY_POOL_MAX: '5',
  // The internal listener (probes, /metrics, the admin API) on the pod's address: kubelet probes it
  // there. Only the internal Service leads to it, and the processor's NetworkPolicy admits only the
  // console, operators' pods and the monitoring namespace (see internalListenerPeers).
  INTERNAL_HTTP_HOST: '0.0.0.0',
  PROCESSOR_PARTITIONS_CONCURRENCY: '3',
  PROCESSOR_SESSION_TIMEOUT_MS: '30000',
  PROCESSOR_SHUTDOWN_TIMEOUT_MS: '30000',
  // Traces (OTLP/HTTP) when set; order-intake has no tracing.
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
};

/** order-intake's own settings (ConfigMap `order-intake-config`). */
export const intakeConfig: Record<string, string> = {
  INTAKE_RATE_LIMIT_MAX: '100',
  INTAKE_RATE_LIMIT_WINDOW: '60000',
  // Only behind a proxy that sets X-Forwarded-For itself: clients could otherwise pick their own IP.
  INTAKE_TRUST_PROXY: 'false',
  INTAKE_SHUTDOWN_TIMEOUT: '10000',
};

/** Secrets and their keys; values are never in this repository (secrets.example.yaml is a template). */
export const secrets = {
  kafka: 'fleet-kafka',
  database: 'fleet-database',
  admin: 'fleet-admin',
  redis: 'order-intake-redis',
  intakeKeys: 'order-intake-api-keys',
  console: 'fleet-console',
} as const;

type Resources = {
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
} & (
  | {
      /** V8's old-space budget (`--max-old-space-size`, MiB), well under the memory limit. */
      heapMb: number;
    }
  | {
      /**
       * A processor's one memory setting, `PROCESSOR_MEMORY_BUDGET_MB` (below the memory limit): the
       * runtime derives its fetch sizes from it, and the heap flags in NODE_OPTIONS come from the same
       * function (`memoryBudget`, packages/processor/src/memory-budget.ts).
       */
      memoryBudgetMb: number;
    }
);

/** NODE_OPTIONS, and for a processor its memory budget, from the container's resources. */
function memoryEnv(r: Resources): object[] {
  if ('heapMb' in r) return [{ name: 'NODE_OPTIONS', value: `--max-old-space-size=${r.heapMb}` }];
  return [
    { name: 'PROCESSOR_MEMORY_BUDGET_MB', value: String(r.memoryBudgetMb) },
    { name: 'NODE_OPTIONS', value: memoryBudget(r.memoryBudgetMb).nodeFlags.join(' ') },
  ];
}

export interface ProcessorDeployment {
  /** Kubernetes name: the service's folder under services/. */
  service: string;
  definition: DeclaredProcessor;
  /** Its public container and Service port: `fleet.httpPort` of services/<service>/package.json. */
  httpPort: number;
  /** Its internal listener's port (probes, /metrics, the admin API): 1000 above, as the runtime derives it. */
  internalPort: number;
  /** Lag per replica KEDA aims at (HPA AverageValue). */
  lagThreshold: number;
  minReplicas: number;
  resources: Resources;
}

// Processors: a backlog peaks at 470–510 MB RSS with an unbounded heap and ≈ 216 MB with a 128 MB old
// space (bench/README.md). A budget of 640 under a 768 Mi limit keeps kafkajs' default fetch sizes and
// gives the heap what is left (about 430 MB of old space).
const processorResources: Resources = {
  cpuRequest: '250m',
  cpuLimit: '1',
  memoryRequest: '512Mi',
  memoryLimit: '768Mi',
  memoryBudgetMb: 640,
};

/** What the manifests take from a processor's declaration. */
export interface DeclaredProcessor {
  /** Consumer group, Postgres schema. */
  name: string;
  routes: readonly { event: { topic: { name: string } } }[];
}
const definitionOf = <DB>(d: ProcessorDefinition<DB>): DeclaredProcessor => d;

/** The five processors; those with a query API keep two replicas so that a drain does not take reads away. */
export const processors: ProcessorDeployment[] = [
  { service: 'inventory', definition: definitionOf(inventory), lagThreshold: 5000, minReplicas: 1 },
  {
    service: 'payments',
    definition: definitionOf(paymentsProcessor(loadPaymentRules(defaultRulesFile))),
    lagThreshold: 5000,
    minReplicas: 1,
  },
  {
    service: 'order-lifecycle',
    definition: definitionOf(orderLifecycle),
    lagThreshold: 5000,
    minReplicas: 1,
  },
  { service: 'order-view', definition: definitionOf(orderView), lagThreshold: 5000, minReplicas: 2 },
  {
    service: 'sales-analytics',
    definition: definitionOf(salesAnalytics),
    lagThreshold: 5000,
    minReplicas: 2,
  },
].map((p) => {
  const httpPort = httpPortOf(p.service);
  return { ...p, httpPort, internalPort: internalPortFor(httpPort), resources: processorResources };
});

/** A processor's default port, where the service's main reads it too (its package.json's `fleet` block). */
function httpPortOf(service: string): number {
  const packageJson = new URL(`../../services/${service}/package.json`, import.meta.url);
  const { httpPort } = deploymentSettings(packageJson);
  if (httpPort === undefined)
    throw new Error(
      `services/${service}/package.json has no "fleet": { "httpPort" }: the manifests need its port`,
    );
  return httpPort;
}

/** order-intake: fastify and a producer; no database. */
export const intake = {
  service: 'order-intake',
  /** services/order-intake/src/config.ts's HTTP_PORT default. */
  port: 8101,
  minReplicas: 2,
  maxReplicas: 6,
  resources: {
    cpuRequest: '100m',
    cpuLimit: '1',
    memoryRequest: '256Mi',
    memoryLimit: '384Mi',
    heapMb: 192,
  } satisfies Resources,
};

/** The operator console: one replica (its sign-in sessions live in memory), reached through a TLS proxy. */
export const consoleDeployment = {
  service: 'console',
  /** console/src/config.ts's FLEET_CONSOLE_PORT default. */
  port: 8100,
  resources: {
    cpuRequest: '50m',
    cpuLimit: '500m',
    memoryRequest: '192Mi',
    memoryLimit: '256Mi',
    heapMb: 128,
  } satisfies Resources,
};

/** The console's own settings (ConfigMap `console-config`). */
export const consoleConfig: Record<string, string> = {
  FLEET_CONSOLE_HOST: '0.0.0.0',
  // Its cookie only over HTTPS: put the console behind a TLS ingress or `kubectl port-forward` (localhost).
  FLEET_CONSOLE_SECURE_COOKIE: 'true',
};

/**
 * The label an operator puts on the namespace whose pods may read the processors' internal listeners
 * (/metrics, /readyz; Prometheus's): `kubectl label namespace monitoring kafka-fleet/scrape=true`.
 */
export const scrapeNamespaceLabel = { 'kafka-fleet/scrape': 'true' };
/**
 * The label of a pod in the fleet's namespace that may reach them too: a `fleet` CLI run, whose `status`
 * reads each instance's /metrics (`kubectl run … --labels=kafka-fleet/operator=true`).
 */
export const operatorPodLabel = { 'kafka-fleet/operator': 'true' };

/**
 * The processors' admin tokens (Secret `fleet-admin`): named read and write tokens, so that the audit
 * names who did what; FLEET_ADMIN_TOKEN is the write token the console calls with. Leave a key out to
 * go without that role (no key at all: the admin API is off).
 */
const adminTokenTemplate = {
  FLEET_ADMIN_READ_TOKEN: 'dashboards=CHANGE-ME-admin-read-token-16-characters-or-more',
  FLEET_ADMIN_WRITE_TOKEN: 'oncall=CHANGE-ME-admin-write-token-16-characters-or-more',
  FLEET_ADMIN_TOKEN: 'CHANGE-ME-at-least-16-characters',
};
const adminTokenKeys = Object.keys(adminTokenTemplate);

/** Console sign-in tokens: `name=token` pairs, one per operator, so the audit names who did what. */
const consoleTokenTemplate = {
  FLEET_CONSOLE_READ_TOKEN: 'viewer=CHANGE-ME-read-token-16-characters-or-more',
  FLEET_CONSOLE_WRITE_TOKEN: 'operator=CHANGE-ME-write-token-16-characters-or-more',
};

// ── Derived from the code ──────────────────────────────────────────────────────────────────────

/** The topics a processor consumes, in route order, with their declared partition counts. */
export function inputTopics(definition: DeclaredProcessor) {
  const declared = new Map(orderCatalog.topics().map((t) => [t.name, t]));
  return [...new Set(definition.routes.map((r) => r.event.topic.name))].map((name) => {
    const topic = declared.get(name);
    if (!topic)
      throw new Error(`${definition.name} consumes ${name}, which @fleet/contracts does not declare`);
    return topic;
  });
}

/**
 * Replicas beyond the partition count of a topic get none of its partitions. Each trigger scales on
 * one topic, so the ceiling is the smallest partition count among them: no replica ever idles for lack
 * of a partition on any topic it scales on.
 */
export const maxReplicasOf = (definition: DeclaredProcessor) =>
  Math.min(...inputTopics(definition).map((t) => t.partitions));

/** Shutdown bounds: the runtime's PROCESSOR_SHUTDOWN_TIMEOUT_MS and order-intake's INTAKE_SHUTDOWN_TIMEOUT. */
const processorShutdownSeconds = Number(processorConfig.PROCESSOR_SHUTDOWN_TIMEOUT_MS) / 1000;
const intakeShutdownSeconds = Number(intakeConfig.INTAKE_SHUTDOWN_TIMEOUT) / 1000;

// ── Building blocks ────────────────────────────────────────────────────────────────────────────

const partOf = 'kafka-fleet';
const labelsOf = (name: string, component: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': partOf,
});
const selectorOf = (name: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/part-of': partOf,
});

const secretEnv = (name: string, secret: string, key: string, optional: boolean) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key, optional } },
});

/** Registry and SASL credentials: optional, for clusters that ask for them. */
const kafkaCredentialEnv = [
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'SCHEMA_REGISTRY_USERNAME',
  'SCHEMA_REGISTRY_PASSWORD',
].map((name) => secretEnv(name, secrets.kafka, name, true));

const resourcesOf = (r: Resources) => ({
  requests: { cpu: r.cpuRequest, memory: r.memoryRequest },
  limits: { cpu: r.cpuLimit, memory: r.memoryLimit },
});

const containerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

const podSecurity = (uid: number) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  seccompProfile: { type: 'RuntimeDefault' },
});

const httpProbe = (path: string, periodSeconds: number, failureThreshold: number, port: string) => ({
  httpGet: { path, port },
  periodSeconds,
  timeoutSeconds: 3,
  failureThreshold,
});

const spreadOver = (name: string) => [
  {
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorOf(name) },
  },
];

/** A Node service of the fleet's image: probes, graceful stop, memory budget, non-root, read-only. */
function serviceDeployment(p: {
  name: string;
  component: string;
  port: number;
  /** The variable the service reads its port from. */
  portVariable?: string;
  /** Default /readyz; a service without dependencies to wait for is ready when it is alive. */
  readinessPath?: string;
  /** A processor's internal listener (INTERNAL_HTTP_PORT): probes go there, not to the public port. */
  internalPort?: number;
  /** Its main module (`<package>/src/main.ts`); the container runs its compiled form. */
  main: string;
  shutdownSeconds: number;
  resources: Resources;
  env: object[];
  configMaps: string[];
}): Manifest {
  const labels = labelsOf(p.name, p.component);
  const probePort = p.internalPort ? 'internal' : 'http';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: p.name, labels },
    spec: {
      // No `replicas`: the autoscaler owns it (an applied value would fight it on every apply).
      selector: { matchLabels: selectorOf(p.name) },
      // One new pod ready (for a processor: a member of its group) before an old one stops.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      minReadySeconds: 10,
      revisionHistoryLimit: 5,
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: partOf,
          automountServiceAccountToken: false,
          securityContext: podSecurity(runAsUser),
          terminationGracePeriodSeconds: preStopSleepSeconds + p.shutdownSeconds + terminationMarginSeconds,
          topologySpreadConstraints: spreadOver(p.name),
          containers: [
            {
              name: p.name,
              image,
              imagePullPolicy: 'IfNotPresent',
              command: compiledCommand(p.main),
              ports: [
                { name: 'http', containerPort: p.port, protocol: 'TCP' },
                ...(p.internalPort
                  ? [{ name: 'internal', containerPort: p.internalPort, protocol: 'TCP' }]
                  : []),
              ],
              envFrom: p.configMaps.map((name) => ({ configMapRef: { name } })),
              env: [
                { name: p.portVariable ?? 'HTTP_PORT', value: String(p.port) },
                ...(p.internalPort ? [{ name: 'INTERNAL_HTTP_PORT', value: String(p.internalPort) }] : []),
                ...memoryEnv(p.resources),
                ...p.env,
              ],
              resources: resourcesOf(p.resources),
              // Start-up runs migrations, registers schemas and joins the group before serving HTTP:
              // up to 5 minutes before liveness starts counting.
              startupProbe: httpProbe('/healthz', 5, 60, probePort),
              readinessProbe: httpProbe(p.readinessPath ?? '/readyz', 10, 3, probePort),
              livenessProbe: httpProbe('/healthz', 10, 6, probePort),
              lifecycle: {
                // SIGTERM comes after this: the pod leaves its Service's endpoints first. The stop itself
                // (no new fetches, the in-flight sub-batch committed, offsets, outbox flushed) is the
                // service's SIGTERM handling, bounded by its shutdown timeout.
                preStop: { sleep: { seconds: preStopSleepSeconds } },
              },
              securityContext: containerSecurity,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

/** The Service of a Deployment's port: `http` under its name, `internal` as `<name>-internal`. */
const httpService = (
  name: string,
  component: string,
  port: number,
  portName: 'http' | 'internal' = 'http',
): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: portName === 'http' ? name : `${name}-${portName}`, labels: labelsOf(name, component) },
  spec: {
    type: 'ClusterIP',
    selector: selectorOf(name),
    ports: [{ name: portName, port, targetPort: portName, protocol: 'TCP' }],
  },
});

const disruptionBudget = (name: string, component: string): Manifest => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, labels: labelsOf(name, component) },
  // One pod at a time (a drain), never all: minAvailable would block drains of a single replica.
  spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(name) } },
});

/** Any pod of any namespace: the cluster's own clients (node addresses and outside ones do not match). */
const anyPodInCluster = { namespaceSelector: {} };

/**
 * Who may reach a processor's internal listener (the admin API, /metrics, /readyz): the console, an
 * operator's pod of the fleet's namespace, and the namespace labelled for scraping. Kubelet's probes
 * come from the pod's own node, which a NetworkPolicy cannot block (docs/deployment.md, "Network
 * policies"), so they need no rule.
 */
const internalListenerPeers = () => [
  { podSelector: { matchLabels: selectorOf(consoleDeployment.service) } },
  { podSelector: { matchLabels: operatorPodLabel } },
  { namespaceSelector: { matchLabels: scrapeNamespaceLabel } },
];

/**
 * A workload's ingress: these ports from these peers (no `from`: from anywhere), nothing else. Ingress
 * only: egress stays open (docs/deployment.md, "Network policies", says why). Numeric ports, taken from
 * the values the containers declare, so that `kubectl describe networkpolicy` shows what is open.
 */
const ingressPolicy = (
  name: string,
  component: string,
  rules: { from?: object[]; ports: number[] }[],
): Manifest => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, labels: labelsOf(name, component) },
  spec: {
    podSelector: { matchLabels: selectorOf(name) },
    policyTypes: ['Ingress'],
    ingress: rules.map(({ from, ports }) => ({
      ...(from ? { from } : {}),
      ports: ports.map((port) => ({ protocol: 'TCP', port })),
    })),
  },
});

// ── The objects ────────────────────────────────────────────────────────────────────────────────

export function processorManifests(p: ProcessorDeployment): Manifest[] {
  const { definition, service, httpPort, internalPort } = p;
  const topics = inputTopics(definition);
  return [
    serviceDeployment({
      name: service,
      component: 'processor',
      port: httpPort,
      internalPort,
      main: `services/${service}/src/main.ts`,
      shutdownSeconds: processorShutdownSeconds,
      resources: p.resources,
      configMaps: ['fleet-config', 'fleet-processor-config'],
      env: [
        { name: 'OTEL_SERVICE_NAME', value: service },
        secretEnv('DATABASE_URL', secrets.database, service, false),
        ...kafkaCredentialEnv,
        ...adminTokenKeys.map((key) => secretEnv(key, secrets.admin, key, true)),
      ],
    }),
    // The query API for its clients; the internal listener for the console, the CLI and Prometheus.
    httpService(service, 'processor', httpPort),
    httpService(service, 'processor', internalPort, 'internal'),
    // The query API's clients are the cluster's (an overlay may narrow them); the internal listener
    // only for the console, operators and monitoring.
    ingressPolicy(service, 'processor', [
      { from: [anyPodInCluster], ports: [httpPort] },
      { from: internalListenerPeers(), ports: [internalPort] },
    ]),
    disruptionBudget(service, 'processor'),
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: service, labels: labelsOf(service, 'processor') },
      spec: {
        scaleTargetRef: { name: service },
        minReplicaCount: p.minReplicas,
        maxReplicaCount: maxReplicasOf(definition),
        pollingInterval: 15,
        cooldownPeriod: 300,
        advanced: {
          horizontalPodAutoscalerConfig: {
            // Every replica added or removed is a rebalance that pauses the whole group: few, spaced.
            behavior: {
              scaleUp: {
                stabilizationWindowSeconds: 60,
                policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
              },
              scaleDown: {
                stabilizationWindowSeconds: 300,
                policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }],
              },
            },
          },
        },
        // One trigger per topic (the HPA follows the largest): lag of the processor's own group.
        triggers: topics.map((topic) => ({
          type: 'kafka',
          name: `lag-${topic.name}`,
          metadata: {
            // Read from the Deployment's container (fleet-config), so the brokers are set in one place.
            bootstrapServersFromEnv: 'KAFKA_BROKERS',
            consumerGroup: definition.name,
            topic: topic.name,
            lagThreshold: String(p.lagThreshold),
            // A new group starts at the beginning (the runtime subscribes with fromBeginning): count it all.
            offsetResetPolicy: 'earliest',
            allowIdleConsumers: 'false',
            version: kafkaProtocolVersion,
          },
          authenticationRef: { name: secrets.kafka },
        })),
      },
    },
  ];
}

export function intakeManifests(): Manifest[] {
  const name = intake.service;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'order-intake-config', labels: labelsOf(name, 'intake') },
      data: intakeConfig,
    },
    serviceDeployment({
      name,
      component: 'intake',
      port: intake.port,
      main: `services/${name}/src/main.ts`,
      shutdownSeconds: intakeShutdownSeconds,
      resources: intake.resources,
      configMaps: ['fleet-config', 'order-intake-config'],
      env: [
        // Rate limits and idempotency keys shared by every replica.
        secretEnv('REDIS_URL', secrets.redis, 'REDIS_URL', false),
        // The clients' keys, hashed (`<client-id> sha256:<hex> [limit]` per line): without one it does not start.
        secretEnv('INTAKE_API_KEYS', secrets.intakeKeys, 'INTAKE_API_KEYS', false),
        ...kafkaCredentialEnv,
      ],
    }),
    httpService(name, 'intake', intake.port),
    // The public intake, from anywhere (an ingress, a load balancer): one listener, no internal one.
    ingressPolicy(name, 'intake', [{ ports: [intake.port] }]),
    disruptionBudget(name, 'intake'),
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, labels: labelsOf(name, 'intake') },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: intake.minReplicas,
        maxReplicas: intake.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    },
  ];
}

/** The intake's Redis's port (REDIS_URL in the Secret template names it too). */
const redisPort = 6379;

/** The intake's Redis: rate-limit counters and idempotency keys, all with TTLs; nothing on disk. */
export function redisManifests(): Manifest[] {
  const name = 'order-intake-redis';
  const labels = labelsOf(name, 'cache');
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorOf(name) },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurity(redisUser),
            containers: [
              {
                name: 'redis',
                image: redisImage,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '--save',
                  '',
                  '--appendonly',
                  'no',
                  '--maxmemory',
                  '192mb',
                  '--maxmemory-policy',
                  'volatile-lru',
                ],
                ports: [{ name: 'redis', containerPort: redisPort, protocol: 'TCP' }],
                resources: {
                  requests: { cpu: '50m', memory: '128Mi' },
                  limits: { cpu: '500m', memory: '256Mi' },
                },
                readinessProbe: {
                  exec: { command: ['redis-cli', 'ping'] },
                  periodSeconds: 5,
                  timeoutSeconds: 3,
                },
                livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10, timeoutSeconds: 3 },
                securityContext: containerSecurity,
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', emptyDir: { sizeLimit: '64Mi' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels },
      spec: {
        type: 'ClusterIP',
        selector: selectorOf(name),
        ports: [{ name: 'redis', port: redisPort, targetPort: 'redis', protocol: 'TCP' }],
      },
    },
    // No password on this Redis: only order-intake's pods may reach it.
    ingressPolicy(name, 'cache', [
      { from: [{ podSelector: { matchLabels: selectorOf(intake.service) } }], ports: [redisPort] },
    ]),
  ];
}

/**
 * The console: reads the control tables and every instance's /metrics, acts through the processors'
 * admin API (FLEET_ADMIN_TOKEN, server-side only), records every write action in Postgres.
 */
export function consoleManifests(): Manifest[] {
  const { service: name, port } = consoleDeployment;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'console-config', labels: labelsOf(name, 'console') },
      data: consoleConfig,
    },
    serviceDeployment({
      name,
      component: 'console',
      port,
      portVariable: 'FLEET_CONSOLE_PORT',
      readinessPath: '/healthz',
      main: 'console/src/main.ts',
      shutdownSeconds: 5,
      resources: consoleDeployment.resources,
      configMaps: ['fleet-config', 'console-config'],
      env: [
        secretEnv('DATABASE_URL', secrets.database, name, false),
        ...kafkaCredentialEnv,
        secretEnv('FLEET_ADMIN_TOKEN', secrets.admin, 'FLEET_ADMIN_TOKEN', false),
        ...Object.keys(consoleTokenTemplate).map((key) => secretEnv(key, secrets.console, key, false)),
      ],
    }),
    httpService(name, 'console', port),
    // Operators come through their ingress (or `kubectl port-forward`, which no policy sees).
    ingressPolicy(name, 'console', [{ from: [anyPodInCluster], ports: [port] }]),
  ];
}

/** Shared by every service and by the pre-rollout Job. */
export function sharedManifests(): Manifest[] {
  const labels = { 'app.kubernetes.io/part-of': partOf };
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: partOf, labels },
      automountServiceAccountToken: false,
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fleet-config', labels }, data: fleetConfig },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fleet-processor-config', labels },
      data: processorConfig,
    },
    {
      // KEDA's own connection to Kafka, for the lag; from the same Secret as the services' credentials.
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: secrets.kafka, labels },
      spec: {
        secretTargetRef: [
          { parameter: 'sasl', name: secrets.kafka, key: 'keda-sasl' },
          { parameter: 'tls', name: secrets.kafka, key: 'keda-tls' },
          { parameter: 'username', name: secrets.kafka, key: 'KAFKA_SASL_USERNAME' },
          { parameter: 'password', name: secrets.kafka, key: 'KAFKA_SASL_PASSWORD' },
        ],
      },
    },
  ];
}

/**
 * Before every rollout: the compatibility gate, then the topics (`pnpm check-compat`, `pnpm topics`),
 * each started from its compiled form.
 */
export const preRolloutJobName = 'fleet-pre-rollout';
export const checkCompatScript = 'packages/contracts/src/bin/check-compatibility.ts';
export const applyTopicsScript = 'packages/contracts/src/bin/apply-topics.ts';

export function preRolloutManifests(): Manifest[] {
  const labels = labelsOf(preRolloutJobName, 'setup');
  const step = (name: string, script: string) => ({
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: compiledCommand(script),
    envFrom: [{ configMapRef: { name: 'fleet-config' } }],
    // The gate and the topic tool read the services' credentials (SASL, registry basic auth) too.
    env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=192' }, ...kafkaCredentialEnv],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    securityContext: containerSecurity,
  });
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: preRolloutJobName, labels },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 86_400,
        // Exit 1 of the gate is a verdict (a schema break), not a hiccup: fail at once, no retries.
        // Exit 2 (registry unreachable) and broker errors are retried up to backoffLimit.
        podFailurePolicy: {
          rules: [
            {
              action: 'FailJob',
              onExitCodes: { containerName: 'check-compat', operator: 'In', values: [1] },
            },
          ],
        },
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: partOf,
            automountServiceAccountToken: false,
            securityContext: podSecurity(runAsUser),
            // Init containers run in order: nothing is changed on the broker unless the gate passed.
            initContainers: [step('check-compat', checkCompatScript)],
            containers: [step('apply-topics', applyTopicsScript)],
          },
        },
      },
    },
  ];
}

/** A template of the Secrets (kept out of every kustomization: real values come from elsewhere). */
export function secretTemplates(): Manifest[] {
  const labels = { 'app.kubernetes.io/part-of': partOf };
  const secret = (name: string, stringData: Record<string, string>): Manifest => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels },
    type: 'Opaque',
    stringData,
  });
  return [
    secret(secrets.kafka, {
      KAFKA_SASL_USERNAME: '',
      KAFKA_SASL_PASSWORD: '',
      SCHEMA_REGISTRY_USERNAME: '',
      SCHEMA_REGISTRY_PASSWORD: '',
      // KEDA's spelling of the same settings: none | plaintext | scram_sha256 | scram_sha512; enable | disable.
      'keda-sasl': 'none',
      'keda-tls': 'disable',
    }),
    // The roles `fleet provision` creates (docs/security.md): one per processor, owning only its
    // schemas; the console runs as the operator role.
    secret(
      secrets.database,
      Object.fromEntries([
        ...processors.map((p) => [
          p.service,
          `postgres://fleet_${p.definition.name}:CHANGE-ME@postgres:5432/fleet`,
        ]),
        [consoleDeployment.service, 'postgres://fleet_operator:CHANGE-ME@postgres:5432/fleet'],
      ]),
    ),
    secret(secrets.admin, adminTokenTemplate),
    secret(secrets.redis, { REDIS_URL: `redis://order-intake-redis:${redisPort}` }),
    secret(secrets.intakeKeys, {
      // Mint each client's line with `pnpm --filter @fleet/order-intake mint-api-key <client-id>`; this
      // placeholder's hash matches no key, so the intake starts and refuses every call until it is replaced.
      INTAKE_API_KEYS: `change-me sha256:${'0'.repeat(64)}`,
    }),
    secret(secrets.console, consoleTokenTemplate),
  ];
}

// ── Files ──────────────────────────────────────────────────────────────────────────────────────

/** Every file under deploy/k8s; kustomization.yaml files list the others. */
export function fleetFiles(): ManifestFile[] {
  return [
    { path: 'shared/shared.yaml', manifests: sharedManifests() },
    { path: 'pre-rollout/job.yaml', manifests: preRolloutManifests() },
    { path: 'fleet/order-intake.yaml', manifests: intakeManifests() },
    { path: 'fleet/order-intake-redis.yaml', manifests: redisManifests() },
    { path: 'fleet/console.yaml', manifests: consoleManifests() },
    ...processors.map((p) => ({ path: `fleet/${p.service}.yaml`, manifests: processorManifests(p) })),
    { path: 'secrets.example.yaml', manifests: secretTemplates() },
  ];
}

/** kustomize entry points: what `kubectl apply -k` takes (secrets.example.yaml is in none). */
export function kustomizations(files = fleetFiles()): Record<string, string[]> {
  const under = (dir: string) =>
    files.filter((f) => f.path.startsWith(`${dir}/`)).map((f) => f.path.slice(dir.length + 1));
  return {
    'shared/kustomization.yaml': under('shared'),
    'pre-rollout/kustomization.yaml': ['../shared', ...under('pre-rollout')],
    'fleet/kustomization.yaml': ['../shared', ...under('fleet')],
  };
}
