// docker-compose.yml cannot be run where the project is developed and tested (no Docker engine),
// so this test keeps it true to the rest of the repository: pinned images, the native launcher's
// ports, variables that .env.example documents, commands that point at real files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compiledStartOf } from '../../service-kit/src/compile/compiled-entry.ts';
import { workspacePackages } from '../../service-kit/src/compile/workspace-packages.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { published?: string | number; target?: number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}
// Merge keys (`<<: *anchor`) are YAML 1.1; compose resolves them, so the test must too.
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = Object.entries(compose.services);

/** The fleet and the native defaults of their HTTP ports (HTTP_PORT in .env.example). */
const fleetPorts: Record<string, number> = {
  'order-intake': 8101,
  inventory: 8102,
  payments: 8103,
  'order-lifecycle': 8104,
  'order-view': 8105,
  'sales-analytics': 8106,
};
/** Host ports of the infrastructure, as the native launcher and .env.example use them. */
const infraPorts: Record<string, number[]> = {
  kafka: [9092],
  registry: [8081, 9081],
  postgres: [5432],
  redis: [6379],
  jaeger: [16686, 4317, 4318],
};
/** Variables compose sets on fleet services that are not fleet settings (keep this short). */
const composeOnlyVariables = new Set<string>(['NODE_ENV']);

/** `NAME=` lines of .env.example, and the whole text for the comments. */
const envExample = read('.env.example');
const documented = new Set([...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
const envValue = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(envExample)?.[1] ?? '';

const environmentOf = (service: ComposeService): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((entry) => entry.split(/=(.*)/s).slice(0, 2)))
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
const commandOf = (service: ComposeService) =>
  typeof service.command === 'string' ? service.command.split(/\s+/) : (service.command ?? []);
/**
 * The source a command starts compiled (`node --conditions=compiled <package>/dist/<path>.js`, what the
 * image's build step wrote), or a problem: another command, a package compile-workspace does not
 * compile, a source that does not exist. dist/ is built, never committed.
 */
const compiledPackages = workspacePackages(root);
function compiledSourceOf(service: ComposeService): { source?: string; problem?: string } {
  const command = commandOf(service);
  const start = compiledStartOf(command);
  if (!start)
    return { problem: `${command.join(' ')}: not node --conditions=compiled <package>/dist/<path>.js` };
  if (!compiledPackages.includes(start.package))
    return { problem: `${start.package} is not compiled by compile-workspace` };
  if (!existsSync(join(root, start.source))) return { problem: `${start.source} does not exist` };
  return { source: start.source };
}
const dependenciesOf = (service: ComposeService): Record<string, string> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(
        Object.entries(service.depends_on ?? {}).map(([name, d]) => [name, d.condition ?? 'service_started']),
      );
/** Fixed host ports: "9092:9092", "127.0.0.1:9092:9092", "9092:9092/tcp", long syntax ("9092" alone is random). */
const hostPortsOf = (service: ComposeService) =>
  (service.ports ?? []).flatMap((port) => {
    if (typeof port === 'object') return port.published === undefined ? [] : [Number(port.published)];
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    return parts.length === 1 ? [] : [Number(parts[parts.length - 2])];
  });
/** Services run from the fleet's own image (built from ./Dockerfile). */
const fleetImageServices = services.filter(([, s]) => s.build !== undefined);

describe('docker-compose.yml', () => {
  it('pins every pulled image to an explicit version tag', () => {
    const problems = services.flatMap(([name, service]) => {
      if (!service.image) return [`${name}: no image`];
      const slash = service.image.lastIndexOf('/');
      const colon = service.image.lastIndexOf(':');
      const tag = colon > slash ? service.image.slice(colon + 1) : '';
      if (!tag) return [`${name}: image ${service.image} has no tag (means latest)`];
      if (tag === 'latest') return [`${name}: image ${service.image} uses latest`];
      // The fleet's image is built here, so its tag names the build, not a version to pull.
      if (service.build === undefined && !/^v?\d/.test(tag))
        return [`${name}: image ${service.image} has tag "${tag}", not a version`];
      return [];
    });
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('has every infrastructure service, each with a health check', () => {
    const problems = Object.keys(infraPorts).flatMap((name) => {
      const service = compose.services[name];
      if (!service) return [`no service "${name}"`];
      const test = service.healthcheck?.test;
      if (!test || service.healthcheck?.disable || (Array.isArray(test) && test[0] === 'NONE'))
        return [`${name}: no health check`];
      return [];
    });
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('publishes the ports the native launcher and .env.example use', () => {
    // The expectations above must agree with .env.example, or this test checks the wrong numbers.
    expect(new URL(`kafka://${envValue('KAFKA_BROKERS')}`).port, 'KAFKA_BROKERS port').toBe('9092');
    expect(envValue('KAFKA_PORT'), 'KAFKA_PORT').toBe('9092');
    expect(new URL(envValue('SCHEMA_REGISTRY_URL')).port, 'SCHEMA_REGISTRY_URL port').toBe('8081');
    expect(envValue('REGISTRY_PORT'), 'REGISTRY_PORT').toBe('8081');
    expect(envValue('REGISTRY_MANAGEMENT_PORT'), 'REGISTRY_MANAGEMENT_PORT').toBe('9081');
    expect(new URL(envValue('DATABASE_URL')).port, 'DATABASE_URL port').toBe('5432');
    const httpPortComment = /# Overrides the service's default port \(([^)]*)\)/.exec(envExample)?.[1] ?? '';
    for (const [name, port] of Object.entries(fleetPorts))
      expect(httpPortComment.replace(/\s+/g, ' '), `.env.example's HTTP_PORT comment`).toContain(
        `${name} ${port}`,
      );

    const problems: string[] = [];
    const expected = {
      ...infraPorts,
      ...Object.fromEntries(Object.entries(fleetPorts).map(([n, p]) => [n, [p]])),
    };
    for (const [name, ports] of Object.entries(expected)) {
      const published = compose.services[name] ? hostPortsOf(compose.services[name]) : [];
      for (const port of ports)
        if (!published.includes(port))
          problems.push(`${name}: host port ${port} not published (has ${published.join(', ') || 'none'})`);
    }
    const owners = new Map<number, string>();
    for (const [name, service] of services)
      for (const port of hostPortsOf(service)) {
        if (owners.has(port)) problems.push(`host port ${port} published by ${owners.get(port)} and ${name}`);
        owners.set(port, name);
      }
    // Inside the container the service listens on HTTP_PORT; the published port must lead there.
    for (const [name, port] of Object.entries(fleetPorts)) {
      const service = compose.services[name];
      if (!service) continue;
      const env = environmentOf(service);
      if (env.HTTP_PORT !== String(port))
        problems.push(`${name}: HTTP_PORT is ${env.HTTP_PORT}, not ${port}`);
      if (env.HTTP_HOST !== '0.0.0.0') problems.push(`${name}: HTTP_HOST must be 0.0.0.0 in a container`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('gives the fleet only variables that .env.example documents', () => {
    const problems = fleetImageServices.flatMap(([name, service]) =>
      Object.keys(environmentOf(service))
        .filter((variable) => !documented.has(variable) && !composeOnlyVariables.has(variable))
        .map((variable) => `${name}: ${variable} is not in .env.example`),
    );
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('points the fleet at hosts that are services of this file', () => {
    const problems = fleetImageServices.flatMap(([name, service]) =>
      Object.entries(environmentOf(service)).flatMap(([variable, value]) => {
        if (!/^(KAFKA_BROKERS|.*_URL|.*_ENDPOINT)$/.test(variable) || !value) return [];
        const hosts = value
          .split(',')
          .map((address) => new URL(address.includes('://') ? address : `x://${address}`).hostname);
        return hosts
          .filter((host) => !compose.services[host])
          .map((host) => `${name}: ${variable} names host "${host}", which is no service`);
      }),
    );
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it("runs the topics task with the contracts' apply-topics script, compiled", () => {
    const topics = compose.services.topics;
    expect(topics, 'no topics service').toBeDefined();
    expect(compiledSourceOf(topics ?? {})).toEqual({ source: 'packages/contracts/src/bin/apply-topics.ts' });
    expect(JSON.parse(read('packages/contracts/package.json')).scripts?.['apply-topics']).toBe(
      'node src/bin/apply-topics.ts',
    );
  });

  // Other fleet services run `node --conditions=compiled services/<name>/dist/main.js`, the compiled
  // form of their `start` script's file. A service still being written may have no main.ts yet: its
  // check shows as skipped (not passed) until the file exists, and then it is a real check.
  // Unexpected names get no grace.
  const fleetServiceNames = [
    ...new Set([
      ...Object.keys(fleetPorts),
      ...fleetImageServices.map(([n]) => n).filter((n) => n !== 'topics'),
    ]),
  ];
  for (const name of fleetServiceNames) {
    const main = `services/${name}/src/main.ts`;
    it(`runs ${name} from ${main}, compiled`, () => {
      const service = compose.services[name];
      expect(service, `no service "${name}" in docker-compose.yml`).toBeDefined();
      expect(service?.build, `${name} must run from the fleet image (build: .)`).toBeDefined();
      expect(compiledSourceOf(service ?? {}), `${name}: command`).toEqual({ source: main });
      const scripts = JSON.parse(read(`services/${name}/package.json`)).scripts ?? {};
      expect(scripts.start, `services/${name}/package.json start script vs compose command`).toBe(
        'node src/main.ts',
      );
    });
  }

  it('depends only on services that exist, and can reach the condition it waits for', () => {
    const problems = services.flatMap(([name, service]) =>
      Object.entries(dependenciesOf(service)).flatMap(([target, condition]) => {
        const dependency = compose.services[target];
        if (!dependency) return [`${name}: depends on "${target}", which is no service`];
        if (condition === 'service_healthy' && !dependency.healthcheck?.test)
          return [`${name}: waits for "${target}" to be healthy, but it has no health check`];
        if (condition === 'service_completed_successfully' && dependency.restart !== 'no')
          return [`${name}: waits for "${target}" to complete, but it is not a one-shot (restart: "no")`];
        return [];
      }),
    );
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('starts from the Node major of .node-version', () => {
    const major = read('.node-version').trim().replace(/^v/, '').split('.')[0];
    const stages = new Set([...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]));
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)]
      .map((m) => m[1] ?? '')
      .filter((image) => !stages.has(image));
    expect(bases.length, 'FROM lines with an image').toBeGreaterThan(0);
    for (const image of bases)
      expect(image, `base image ${image} vs .node-version ${major}`).toMatch(
        new RegExp(`^node:${major}(\\D|$)`),
      );
  });

  it("installs the pnpm of package.json's packageManager", () => {
    const version = /^pnpm@(.+)$/.exec(JSON.parse(read('package.json')).packageManager ?? '')?.[1];
    expect(version, 'packageManager').toBeDefined();
    expect(dockerfile, `Dockerfile should install pnpm@${version}`).toContain(`pnpm@${version}`);
  });
});
