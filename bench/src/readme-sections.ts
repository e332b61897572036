/**
 * Generated sections of bench/README.md: what is between `<!-- bench:<name>:start -->` and
 * `<!-- bench:<name>:end -->` is rewritten by the tool that measured it, never by hand.
 */
export function replaceSection(readme: string, name: string, body: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  const section = `${start}\n${body}\n${end}`;
  if (from === -1 || to === -1) return `${readme.trimEnd()}\n\n${section}\n`;
  return readme.slice(0, from) + section + readme.slice(to + end.length);
}
