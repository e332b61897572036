import { createServer } from 'node:net';

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The first `from + 2k` such that both it and the next port are free on 127.0.0.1. */
export async function freePortPair(from: number): Promise<[number, number]> {
  for (let port = from; port < from + 200; port += 2)
    if ((await isFree(port)) && (await isFree(port + 1))) return [port, port + 1];
  throw new Error(`no two free ports in ${from}..${from + 200}`);
}
