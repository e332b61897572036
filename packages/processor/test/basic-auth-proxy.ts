import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A registry that asks for basic auth: an HTTP proxy in front of the shared one that answers 401 to
 * every request without the expected credentials and counts what it saw. The launcher's Apicurio runs
 * without authentication (its own needs an OIDC server), so this is what proves the clients send them.
 */
export async function startBasicAuthProxy(
  target: string,
  credentials: { username: string; password: string },
) {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const seen = { authorized: 0, refused: 0 };
  const origin = new URL(target).origin;
  const server = createServer(async (req, res) => {
    if (req.headers.authorization !== expected) {
      seen.refused += 1;
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': 'Basic realm="registry"',
      });
      res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
      return;
    }
    seen.authorized += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const upstream = await fetch(new URL(req.url ?? '/', origin), {
        method: req.method ?? 'GET',
        headers: {
          accept: req.headers.accept ?? '*/*',
          ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
        },
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** `target` with the proxy's origin: same path (e.g. /apis/ccompat/v7). */
    url: `http://127.0.0.1:${port}${new URL(target).pathname}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
