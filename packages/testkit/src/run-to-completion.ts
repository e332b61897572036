import { spawn } from 'node:child_process';

/** Runs a command to its end; a non-zero exit rejects with the command's output (stdout and stderr, its tail). */
export function runToCompletion(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; name?: string } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${options.name ?? command} exited with ${code}:\n${output.slice(-3_000)}`)),
    );
  });
}
