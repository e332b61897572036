// The rendered NetworkPolicies agree with the workloads they guard: every Deployment's pods are selected
// by one, it opens exactly the ports the pod declares and its Services target (read from the rendered
// Deployments and Services, not from a copy), and a processor's internal listener is never open to all.
import { describe, expect, it } from 'vitest';
import {
  consoleDeployment,
  intake,
  operatorPodLabel,
  processors,
  scrapeNamespaceLabel,
} from './fleet-manifests.ts';
import { committedManifests } from './rendered-files.ts';

// Parsed YAML, checked against the schema by manifests-schema.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any;
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string };
}
interface Rule {
  from?: Peer[];
  ports?: { protocol?: string; port?: number | string }[];
}

const deployed = committedManifests()
  .filter((r) => r.file !== 'secrets.example.yaml')
  .map((r) => r.manifest as Loose);
const ofKind = (kind: string) => deployed.filter((m) => m.kind === kind);
const policies = ofKind('NetworkPolicy');
const deployments = ofKind('Deployment');
const deploymentNamed = (name: string) => deployments.find((d) => d.metadata.name === name);

const podLabels = (d: Loose): Record<string, string> => d.spec.template.metadata.labels;
const selects = (selector: Selector | undefined, labels: Record<string, string>) =>
  selector !== undefined &&
  (selector.matchExpressions ?? []).length === 0 &&
  Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
const isEmpty = (selector: Selector | undefined) =>
  selector !== undefined &&
  Object.keys(selector.matchLabels ?? {}).length === 0 &&
  (selector.matchExpressions ?? []).length === 0;

/** The policies whose podSelector takes this Deployment's pods. */
const policiesOf = (d: Loose) =>
  policies.filter((p) => selects(p.spec.podSelector as Selector, podLabels(d)));
const policyOf = (d: Loose) => {
  const [policy, ...others] = policiesOf(d);
  expect(others, `${d.metadata.name}: one NetworkPolicy`).toEqual([]);
  expect(policy, `${d.metadata.name}: a NetworkPolicy`).toBeDefined();
  return policy as Loose;
};
const rulesOf = (policy: Loose) => policy.spec.ingress as Rule[];
/** Port name → number, as the Deployment's containers declare them. */
const containerPorts = (d: Loose) =>
  new Map<string, number>(
    (d.spec.template.spec.containers as Loose[]).flatMap((c) =>
      (c.ports ?? []).map((p: Loose) => [p.name, p.containerPort] as const),
    ),
  );
const openPorts = (policy: Loose) =>
  rulesOf(policy)
    .flatMap((r) => (r.ports ?? []).map((p) => p.port))
    .sort();
/** The pod ports the Services in front of a Deployment lead to (a named targetPort resolved on the pod). */
const serviceTargets = (d: Loose) => {
  const ports = containerPorts(d);
  return ofKind('Service')
    .filter((s) => selects({ matchLabels: s.spec.selector }, podLabels(d)))
    .flatMap((s) => (s.spec.ports as Loose[]).map((p) => ports.get(p.targetPort) ?? p.targetPort));
};
const rulesFor = (policy: Loose, port: number) =>
  rulesOf(policy).filter((r) => (r.ports ?? []).some((p) => p.port === port));

/**
 * A rule open to all: no `from` (any source, the outside included), or a peer that is any pod of the
 * cluster (`namespaceSelector: {}`), any pod of the namespace (`podSelector: {}`) or addresses.
 */
const openToAll = (rule: Rule) =>
  rule.from === undefined ||
  rule.from.length === 0 ||
  rule.from.some(
    (peer) =>
      peer.ipBlock !== undefined ||
      (isEmpty(peer.namespaceSelector) && (peer.podSelector === undefined || isEmpty(peer.podSelector))) ||
      (peer.namespaceSelector === undefined && isEmpty(peer.podSelector)),
  );
const fromAnyPodInCluster = (rule: Rule) =>
  rule.from?.length === 1 && isEmpty(rule.from[0]?.namespaceSelector) && !rule.from[0]?.podSelector;

const processorDeployments = processors.map((p) => ({ ...p, deployment: deploymentNamed(p.service) }));

describe('NetworkPolicies', () => {
  it('every Deployment of the fleet is guarded by exactly one, ingress only, every rule with its ports', () => {
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const policy = policyOf(d);
      expect(policy.spec.policyTypes, d.metadata.name).toEqual(['Ingress']);
      expect(policy.spec.egress, `${d.metadata.name}: egress stays open`).toBeUndefined();
      // A rule without ports opens every port of the pod.
      for (const rule of rulesOf(policy)) expect(rule.ports?.length, d.metadata.name).toBeGreaterThan(0);
    }
    // None selects nothing (a policy whose workload was renamed).
    for (const p of policies)
      expect(
        deployments.some((d) => policiesOf(d).includes(p)),
        `NetworkPolicy/${p.metadata.name}`,
      ).toBe(true);
  });

  it('each opens exactly the ports its pods declare, which are the ports its Services target', () => {
    for (const d of deployments) {
      const declared = [...containerPorts(d).values()].sort();
      expect(openPorts(policyOf(d)), d.metadata.name).toEqual(declared);
      for (const rule of rulesOf(policyOf(d)))
        for (const port of rule.ports ?? []) {
          expect(port.protocol, d.metadata.name).toBe('TCP');
          expect(typeof port.port, `${d.metadata.name}: a number, as declared`).toBe('number');
        }
      expect([...new Set(serviceTargets(d))].sort(), `${d.metadata.name}: Service targets`).toEqual(declared);
    }
  });

  it.each(processorDeployments.map((p) => [p.service, p] as const))(
    '%s: the query API from any pod of the cluster; the internal listener from the console, operator pods and the scrape namespace only',
    (_name, p) => {
      expect(p.deployment, `Deployment/${p.service}`).toBeDefined();
      const policy = policyOf(p.deployment);
      const ports = containerPorts(p.deployment);
      expect(ports.get('http')).toBe(p.httpPort);
      expect(ports.get('internal')).toBe(p.internalPort);
      const [query, ...moreQuery] = rulesFor(policy, p.httpPort);
      expect(moreQuery).toEqual([]);
      expect(query && fromAnyPodInCluster(query), 'query API from the cluster').toBe(true);
      const [internal, ...moreInternal] = rulesFor(policy, p.internalPort);
      expect(moreInternal).toEqual([]);
      expect(
        internal?.ports?.map((x) => x.port),
        'nothing else in the internal rule',
      ).toEqual([p.internalPort]);
      expect(internal?.from).toEqual([
        { podSelector: { matchLabels: expect.any(Object) } },
        { podSelector: { matchLabels: operatorPodLabel } },
        { namespaceSelector: { matchLabels: scrapeNamespaceLabel } },
      ]);
      // The console peer takes the console's pods and no other workload's.
      const consolePeer = internal?.from?.[0]?.podSelector;
      expect(
        deployments.filter((d) => selects(consolePeer, podLabels(d))).map((d) => d.metadata.name),
      ).toEqual([consoleDeployment.service]);
      expect(
        deployments.filter((d) => selects({ matchLabels: operatorPodLabel }, podLabels(d))),
        'no workload of the fleet carries the operator label',
      ).toEqual([]);
    },
  );

  it("a processor's internal listener is never open to all", () => {
    const withInternal = deployments.filter((d) => containerPorts(d).has('internal'));
    expect(withInternal.map((d) => d.metadata.name).sort()).toEqual(processors.map((p) => p.service).sort());
    for (const d of withInternal) {
      const internal = containerPorts(d).get('internal') as number;
      const rules = rulesFor(policyOf(d), internal);
      expect(rules.length, d.metadata.name).toBeGreaterThan(0);
      expect(rules.filter(openToAll), d.metadata.name).toEqual([]);
    }
  });

  it('the check above can fail: it flags each way of opening a port to all', () => {
    const ports = [{ protocol: 'TCP', port: 9102 }];
    expect(openToAll({ ports })).toBe(true);
    expect(openToAll({ from: [], ports })).toBe(true);
    expect(openToAll({ from: [{ namespaceSelector: {} }], ports })).toBe(true);
    expect(openToAll({ from: [{ namespaceSelector: {}, podSelector: {} }], ports })).toBe(true);
    expect(openToAll({ from: [{ podSelector: {} }], ports })).toBe(true);
    expect(openToAll({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports })).toBe(true);
    expect(openToAll({ from: [{ namespaceSelector: { matchLabels: scrapeNamespaceLabel } }], ports })).toBe(
      false,
    );
  });

  it('order-intake: its one port from anywhere (the public intake); its Redis from order-intake only', () => {
    const intakeDeployment = deploymentNamed(intake.service);
    expect(rulesOf(policyOf(intakeDeployment))).toEqual([
      { ports: [{ protocol: 'TCP', port: intake.port }] },
    ]);
    const redis = deploymentNamed('order-intake-redis');
    const [rule, ...more] = rulesOf(policyOf(redis));
    expect(more).toEqual([]);
    expect(rule?.from).toHaveLength(1);
    const peer = rule?.from?.[0] as Peer;
    expect(peer.namespaceSelector, 'its own namespace only').toBeUndefined();
    expect(
      deployments.filter((d) => selects(peer.podSelector, podLabels(d))).map((d) => d.metadata.name),
    ).toEqual([intake.service]);
  });

  it('the console: its port from any pod of the cluster, nothing else', () => {
    const rules = rulesOf(policyOf(deploymentNamed(consoleDeployment.service)));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.ports).toEqual([{ protocol: 'TCP', port: consoleDeployment.port }]);
    expect(rules[0] && fromAnyPodInCluster(rules[0])).toBe(true);
  });
});
