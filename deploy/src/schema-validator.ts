// Validates rendered manifests offline against pinned schemas kept in deploy/schemas (README there
// names their sources): the Kubernetes 1.35.0 API definitions and KEDA 2.20.2's CRDs. Strict, as
// `kubectl apply --validate=strict` is: an unknown field is an error, not something the API server
// silently drops.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const kubernetesVersion = '1.35.0';
export const kedaVersion = '2.20.2';

const schemasDir = join(import.meta.dirname, '..', 'schemas');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The OpenAPI dialects as JSON Schema: int-or-string and quantities accept both (YAML writes `port: 8080`
 * and `port: http` alike), and every object that lists its properties rejects others, unless it says
 * it keeps unknown fields.
 */
function strict(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!isObject(schema)) return schema;
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true)
    return { anyOf: [{ type: 'string' }, { type: 'integer' }] };
  const out: JsonObject = Object.fromEntries(
    Object.entries(schema).map(([key, value]) =>
      // `properties` maps names to schemas; its keys are not keywords.
      key === 'properties' && isObject(value)
        ? [key, Object.fromEntries(Object.entries(value).map(([name, s]) => [name, strict(s)]))]
        : [key, strict(value)],
    ),
  );
  if (
    isObject(schema.properties) &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  )
    out.additionalProperties = false;
  return out;
}

interface KubernetesSchemaFile {
  kubernetesVersion: string;
  definitions: Record<string, JsonObject>;
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema: { openAPIV3Schema: JsonObject } }[];
  };
}

export interface ManifestProblem {
  /** `Kind/name` of the manifest. */
  object: string;
  message: string;
}

const formatErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : e.keyword === 'enum'
          ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})`
          : '';
    return `${e.instancePath || '/'} ${e.message}${extra}`;
  });

/** One validator per apiVersion + kind, from the pinned files. */
export class ManifestValidator {
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #crdKinds = new Set<string>();
  readonly #objectMeta: ValidateFunction;

  constructor() {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const file = JSON.parse(
      readFileSync(join(schemasDir, `kubernetes-${kubernetesVersion}.json`), 'utf8'),
    ) as KubernetesSchemaFile;
    if (file.kubernetesVersion !== kubernetesVersion)
      throw new Error(`schema file says ${file.kubernetesVersion}, expected ${kubernetesVersion}`);
    const definitions = strict(file.definitions as Json);
    ajv.addSchema({ $id: 'k8s', definitions }, 'k8s');
    for (const [name, definition] of Object.entries(file.definitions)) {
      const gvks = definition['x-kubernetes-group-version-kind'];
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks) {
        if (!isObject(gvk)) continue;
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : String(gvk.version);
        this.#validators.set(`${apiVersion}:${gvk.kind}`, ajv.compile({ $ref: `k8s#/definitions/${name}` }));
      }
    }
    this.#objectMeta = ajv.compile({
      $ref: 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    });

    for (const crdFile of ['keda.sh_scaledobjects.yaml', 'keda.sh_triggerauthentications.yaml']) {
      const crd = parse(readFileSync(join(schemasDir, `keda-${kedaVersion}`, crdFile), 'utf8')) as Crd;
      for (const version of crd.spec.versions.filter((v) => v.served)) {
        // The API server checks metadata itself (as ObjectMeta, below); the CRD only says `type: object`.
        const properties = { ...(version.schema.openAPIV3Schema.properties as JsonObject), metadata: {} };
        const key = `${crd.spec.group}/${version.name}:${crd.spec.names.kind}`;
        this.#validators.set(
          key,
          ajv.compile(strict({ ...version.schema.openAPIV3Schema, properties }) as object),
        );
        this.#crdKinds.add(key);
      }
    }
  }

  /** `apiVersion:kind` pairs this validator knows. */
  get kinds(): string[] {
    return [...this.#validators.keys()].sort();
  }

  /** Problems of one manifest (empty when valid). */
  validate(manifest: unknown): string[] {
    if (!isObject(manifest as Json)) return ['not an object'];
    const m = manifest as JsonObject;
    const key = `${String(m.apiVersion)}:${String(m.kind)}`;
    const validate = this.#validators.get(key);
    if (!validate)
      return [`unknown apiVersion/kind ${key} for Kubernetes ${kubernetesVersion} and KEDA ${kedaVersion}`];
    const problems = validate(m) ? [] : formatErrors(validate.errors);
    if (this.#crdKinds.has(key)) {
      if (!this.#objectMeta(m.metadata ?? null))
        problems.push(...formatErrors(this.#objectMeta.errors).map((p) => `/metadata${p}`));
      problems.push(...crdRules(m));
    }
    if (!isObject(m.metadata) || typeof m.metadata.name !== 'string' || !m.metadata.name)
      problems.push('/metadata/name is required');
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(m.metadata.name) || m.metadata.name.length > 63)
      problems.push(`/metadata/name ${m.metadata.name} is not a DNS-1123 label`);
    return problems;
  }
}

/**
 * The CRDs' CEL rules (`x-kubernetes-validations`), which JSON Schema cannot express, written out:
 * KEDA 2.20.2 has one, on ScaledObject.spec.
 */
function crdRules(m: JsonObject): string[] {
  if (m.kind !== 'ScaledObject' || !isObject(m.spec)) return [];
  const min = m.spec.minReplicaCount;
  const max = m.spec.maxReplicaCount ?? 100;
  return typeof min === 'number' && typeof max === 'number' && min > max
    ? ['/spec minReplicaCount must be less than or equal to maxReplicaCount']
    : [];
}
