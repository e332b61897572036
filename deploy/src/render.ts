// Manifests as the text of the files under deploy/k8s: what `./fleetw manifests` writes and what the
// drift test compares the committed files with.
import { stringify } from 'yaml';
import { fleetFiles, kustomizations } from './fleet-manifests.ts';

const header = (source: string) =>
  `# Generated from deploy/src/${source} by \`./fleetw manifests\`: do not edit, change the source.\n`;

const yamlOf = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

/** Path relative to deploy/k8s → file text. */
export function renderFiles(): Map<string, string> {
  const files = fleetFiles();
  const out = new Map<string, string>();
  for (const file of files)
    out.set(
      file.path,
      header('fleet-manifests.ts') + file.manifests.map((m) => `---\n${yamlOf(m)}`).join(''),
    );
  for (const [path, resources] of Object.entries(kustomizations(files)))
    out.set(
      path,
      header('fleet-manifests.ts') +
        yamlOf({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }),
    );
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
