#!/usr/bin/env node
// Cuts the Kubernetes OpenAPI v2 document (swagger.json) down to the definitions the fleet's manifests
// can use, without descriptions, into deploy/schemas/kubernetes-<version>.json. Run it only to move
// to another Kubernetes version (deploy/schemas/README.md says where the document comes from):
//   node deploy/src/bin/extract-kubernetes-schema.ts <swagger.json> <version> && pnpm exec biome format --write deploy/schemas
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The kinds a fleet manifest may have (their definitions and everything they reference are kept). */
export const kubernetesKinds = [
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  'io.k8s.api.batch.v1.Job',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.networking.v1.NetworkPolicy',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  // Custom resources (KEDA's) are checked against their CRD, with their metadata checked as ObjectMeta.
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const [file, version] = process.argv.slice(2);
if (!file || !version) {
  console.error('usage: extract-kubernetes-schema <swagger.json> <version, e.g. 1.35.0>');
  process.exit(2);
}
const swagger = JSON.parse(readFileSync(file, 'utf8')) as { definitions: Record<string, Json> };

const kept = new Map<string, Json>();
const visit = (name: string) => {
  if (kept.has(name)) return;
  const definition = swagger.definitions[name];
  if (definition === undefined) throw new Error(`${name} is not in ${file}`);
  const stripped = strip(definition);
  kept.set(name, stripped);
  for (const ref of refsOf(stripped)) visit(ref);
};

/** Without descriptions: they make up most of the document and validate nothing. */
function strip(value: Json): Json {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'description')
      .map(([key, v]) => [key, strip(v)]),
  );
}

function refsOf(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === '$ref' && typeof v === 'string' ? [v.replace('#/definitions/', '')] : refsOf(v),
  );
}

for (const kind of kubernetesKinds) visit(kind);
const out = join(import.meta.dirname, '..', '..', 'schemas', `kubernetes-${version}.json`);
writeFileSync(
  out,
  `${JSON.stringify(
    {
      kubernetesVersion: version,
      roots: kubernetesKinds,
      definitions: Object.fromEntries([...kept].sort(([a], [b]) => a.localeCompare(b))),
    },
    null,
    2,
  )}\n`,
);
console.log(`${kept.size} definitions → ${out}`);
