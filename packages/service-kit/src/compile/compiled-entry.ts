/** The node flags of every compiled start: packages resolve to their `dist/` through the `compiled` export condition. */
export const compiledNodeFlags = ['--conditions=compiled'] as const;

/**
 * Where `compilePackage` writes a module: `<package>/src/<path>.ts` → `<package>/dist/<path>.js`
 * (paths relative to the workspace root, `/`-separated). Refuses a path outside a `src/`.
 */
export function compiledPathOf(source: string): string {
  const match = /^(.+?)\/src\/(.+)\.ts$/.exec(source);
  if (!match) throw new Error(`${source}: not a module under a package's src/ (<package>/src/<path>.ts)`);
  return `${match[1]}/dist/${match[2]}.js`;
}

/** The command that starts a workspace module's compiled form: `node --conditions=compiled <package>/dist/<path>.js`. */
export const compiledCommand = (source: string): string[] => [
  'node',
  ...compiledNodeFlags,
  compiledPathOf(source),
];

/**
 * The source module a command starts when it has `compiledCommand`'s form (`node --conditions=compiled
 * <package>/dist/<path>.js`, nothing else): its package and `<package>/src/<path>.ts`. Undefined for
 * any other command.
 */
export function compiledStartOf(command: readonly string[]): { package: string; source: string } | undefined {
  const flags = command.slice(1, -1);
  const [node, entry] = [command[0], command.at(-1) ?? ''];
  if (node !== 'node' || flags.join(' ') !== compiledNodeFlags.join(' ')) return undefined;
  const match = /^(.+?)\/dist\/(.+)\.js$/.exec(entry);
  return match ? { package: match[1] as string, source: `${match[1]}/src/${match[2]}.ts` } : undefined;
}
