#!/usr/bin/env node
// Writes deploy/k8s from deploy/src/fleet-manifests.ts (and removes files it no longer makes).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { renderFiles } from '../render.ts';

const root = join(import.meta.dirname, '..', '..', 'k8s');
const files = renderFiles();
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
  const path = relative(root, join(entry.parentPath, entry.name));
  if (entry.isFile() && !files.has(path)) {
    rmSync(join(root, path));
    console.log(`removed ${path}`);
  }
}
console.log(`${files.size} files in ${relative(process.cwd(), root) || '.'}`);
