import { connect } from 'node:net';
import type { InfraSettings } from './infra-settings.ts';

/** Returns one line per piece of infrastructure that does not answer; empty when all do. */
export async function probeInfra(settings: InfraSettings): Promise<string[]> {
  const problems: string[] = [];
  const broker = settings.kafkaBrokers[0] ?? '';
  if (!(await tcpAnswers(broker))) problems.push(`Kafka does not answer at ${broker} (KAFKA_BROKERS)`);
  try {
    const res = await fetch(`${settings.schemaRegistryUrl}/subjects`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) problems.push(`Schema Registry at ${settings.schemaRegistryUrl} answered ${res.status}`);
  } catch {
    problems.push(`Schema Registry does not answer at ${settings.schemaRegistryUrl} (SCHEMA_REGISTRY_URL)`);
  }
  const pg = new URL(settings.databaseUrl);
  if (!(await tcpAnswers(`${pg.hostname}:${pg.port || 5432}`)))
    problems.push(`PostgreSQL does not answer at ${pg.host} (DATABASE_URL)`);
  return problems;
}

function tcpAnswers(hostPort: string): Promise<boolean> {
  const [host, port] = splitHostPort(hostPort);
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, i).replace(/^\[|\]$/g, ''), Number(hostPort.slice(i + 1))];
}
