import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folders of the workspace whose every package is compiled by default. */
const packageGroups = ['packages', 'services'];
/** Packages at the workspace root: the operator console. */
const rootPackages = ['console'];

/**
 * The packages `compile-workspace` compiles when given none, relative to the workspace root
 * (`packages/contracts`, `services/inventory`, `console`…): every folder with a package.json and a
 * `src/`. In the image's build context the test kits are left out, so they are not listed there.
 */
export function workspacePackages(root: string): string[] {
  const candidates = [
    ...packageGroups.flatMap((group) =>
      existsSync(join(root, group))
        ? readdirSync(join(root, group))
            .sort()
            .map((name) => `${group}/${name}`)
        : [],
    ),
    ...rootPackages,
  ];
  return candidates.filter(
    (dir) => existsSync(join(root, dir, 'package.json')) && existsSync(join(root, dir, 'src')),
  );
}
