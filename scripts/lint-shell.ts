// ShellCheck over every shell script of the repository: tracked *.sh files and files whose first
// line is a sh/bash shebang (fleetw, .ci/run, infra/native/*.sh, …), sources followed (-x).
// Exits with ShellCheck's status; says how to install it when it is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

const shebang = /^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/)?(ba)?sh\b/;

function firstLine(file: string): string {
  const buffer = Buffer.alloc(64);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return (
      buffer
        .subarray(0, readSync(fd, buffer, 0, 64, 0))
        .toString('latin1')
        .split('\n')[0] ?? ''
    );
  } catch {
    return ''; // a directory (a submodule)
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// Tracked files still in the working tree.
const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter((file) => file && existsSync(file));
const scripts = tracked.filter((file) => file.endsWith('.sh') || shebang.test(firstLine(file)));

const check = spawnSync('shellcheck', ['-x', ...scripts], { stdio: 'inherit' });
if (check.error) {
  console.error(
    'lint-shell: shellcheck is not installed. Install it (Debian/Ubuntu: apt-get install shellcheck; macOS: brew install shellcheck); .ci/run installs it.',
  );
  process.exit(1);
}
if (check.status === 0)
  console.log(`lint-shell: ${scripts.length} shell scripts clean (${scripts.join(', ')})`);
process.exit(check.status ?? 1);
