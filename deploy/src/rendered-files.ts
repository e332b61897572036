// The committed manifests under deploy/k8s, read back as the tests see them (what `kubectl apply -k` gets).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from './fleet-manifests.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const k8sDir = join(repoRoot, 'deploy', 'k8s');

export interface RenderedManifest {
  file: string;
  manifest: Manifest;
}

/** Path relative to deploy/k8s → text, for every file there. */
export function committedFiles(): Map<string, string> {
  return new Map(
    readdirSync(k8sDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .map((path) => [relative(k8sDir, path), readFileSync(path, 'utf8')] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Every Kubernetes object in the files (kustomization.yaml files are kustomize's, not objects). */
export function committedManifests(): RenderedManifest[] {
  return [...committedFiles()]
    .filter(([file]) => !file.endsWith('kustomization.yaml'))
    .flatMap(([file, text]) =>
      parseAllDocuments(text).flatMap((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
        const manifest = doc.toJS() as Manifest | null;
        return manifest ? [{ file, manifest }] : [];
      }),
    );
}

export const nameOf = ({ manifest }: RenderedManifest) => `${manifest.kind}/${manifest.metadata.name}`;
