// Every rendered manifest against Kubernetes 1.35.0's API schema and KEDA 2.20.2's CRDs, offline and
// strict (deploy/schemas/README.md names their sources); and the committed files are what the source makes.
import { describe, expect, it } from 'vitest';
import { renderFiles } from './render.ts';
import { committedFiles, committedManifests, nameOf } from './rendered-files.ts';
import { kedaVersion, kubernetesVersion, ManifestValidator } from './schema-validator.ts';

const validator = new ManifestValidator();
const rendered = committedManifests();

describe(`manifests against Kubernetes ${kubernetesVersion} and KEDA ${kedaVersion}`, () => {
  it.each(rendered.map((r) => [`${r.file}: ${nameOf(r)}`, r] as const))('%s is valid', (_label, r) => {
    const problems = validator.validate(r.manifest);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('covers every kind the fleet uses, KEDA included', () => {
    const kinds = new Set(rendered.map((r) => `${r.manifest.apiVersion}:${r.manifest.kind}`));
    for (const kind of kinds) expect(validator.kinds).toContain(kind);
    expect(kinds).toContain('keda.sh/v1alpha1:ScaledObject');
    expect(kinds).toContain('keda.sh/v1alpha1:TriggerAuthentication');
    expect(kinds).toContain('apps/v1:Deployment');
    expect(kinds).toContain('policy/v1:PodDisruptionBudget');
    expect(kinds).toContain('batch/v1:Job');
    expect(kinds).toContain('networking.k8s.io/v1:NetworkPolicy');
  });

  it('no two objects of one kind share a name', () => {
    const names = rendered.filter((r) => r.file !== 'secrets.example.yaml').map(nameOf);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe('the validator is strict', () => {
  // Surgery on parsed YAML: loosely typed on purpose.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  type Loose = any;
  const copyOf = (kind: string): Loose =>
    structuredClone(rendered.find((r) => r.manifest.kind === kind)?.manifest);
  const deployment = () => copyOf('Deployment');
  const scaledObject = () => copyOf('ScaledObject');
  const containerOf = (d: Loose) => d.spec.template.spec.containers[0];

  it('rejects an unknown field (a misspelt probe)', () => {
    const d = deployment();
    containerOf(d).readinesProbe = containerOf(d).readinessProbe;
    expect(validator.validate(d).join('\n')).toMatch(/must NOT have additional properties \(readinesProbe\)/);
  });

  // Kubernetes' OpenAPI document has carried no enums since 1.24 (the API server checks those values
  // itself); KEDA's CRD has some.
  it('rejects a wrong type and a missing required field', () => {
    const d = deployment();
    containerOf(d).ports[0].containerPort = 'eighty';
    delete containerOf(d).name;
    const problems = validator.validate(d).join('\n');
    expect(problems).toMatch(/containerPort must be integer/);
    expect(problems).toMatch(/must have required property 'name'/);
  });

  it("checks a ScaledObject against KEDA's CRD, its metadata as ObjectMeta and its CEL rule", () => {
    const s = scaledObject();
    const spec = s.spec;
    spec.maxReplicaCount = 0;
    spec.triggers[0].authRef = spec.triggers[0].authenticationRef;
    spec.triggers[0].authenticationRef.kind = 'SecretAuthentication';
    s.metadata.label = {};
    const problems = validator.validate(s).join('\n');
    expect(problems).toMatch(/maxReplicaCount must be >= 1/);
    expect(problems).toMatch(/additional properties \(authRef\)/);
    expect(problems).toMatch(/authenticationRef\/kind must be equal to one of the allowed values/);
    expect(problems).toMatch(/metadata.*additional properties \(label\)/);
    spec.maxReplicaCount = 1;
    spec.minReplicaCount = 2;
    expect(validator.validate(s).join('\n')).toMatch(
      /minReplicaCount must be less than or equal to maxReplicaCount/,
    );
  });

  it('rejects a kind or version the pinned schemas do not have', () => {
    expect(
      validator.validate({
        apiVersion: 'policy/v1beta1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'x' },
      }),
    ).toEqual([expect.stringMatching(/unknown apiVersion\/kind/)]);
  });
});

describe('deploy/k8s', () => {
  it('is what deploy/src/fleet-manifests.ts renders (run `./fleetw manifests` after a change)', () => {
    const expected = renderFiles();
    const actual = committedFiles();
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [path, text] of expected) expect(actual.get(path), path).toBe(text);
  });
});
