import { createServer } from 'node:net';

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * `count` consecutive ports free on 127.0.0.1, searched upwards from `from` in steps of `count`.
 * Pick `from` below the kernel's ephemeral range (32768 and up on Linux): a port there can be taken
 * at any moment by some process's outgoing connection, even after it was found free.
 */
export async function freePorts(count: number, from: number): Promise<number[]> {
  for (let start = from; start < from + 100 * count; start += count) {
    const ports = Array.from({ length: count }, (_, i) => start + i);
    let allFree = true;
    for (const port of ports) if (!(await isFree(port))) allFree = false;
    if (allFree) return ports;
  }
  throw new Error(`no ${count} consecutive free ports in ${from}..${from + 100 * count}`);
}
