import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@fleet/service-kit';
import { z } from 'zod';

/**
 * How a service is deployed, as opposed to what it does (its declaration): the `fleet` block of its
 * package.json, next to the `processor` entry the CLI reads, so that the service's main and the
 * deployment generator take the same values from one place.
 *
 *   "fleet": { "processor": { … }, "httpPort": 8102 }
 */
export interface DeploymentSettings {
  /**
   * Default port of the service's own routes (its public listener); HTTP_PORT overrides it. The
   * internal listener (health, readiness, metrics, admin API) is 1000 above (`internalPortFor`).
   */
  httpPort?: number | undefined;
}

/** How far above the public port the internal listener is by default (8102 → 9102). */
export const INTERNAL_PORT_OFFSET = 1000;

/** The internal listener's default port for a public port: 1000 above it, or any free one (0) for 0. */
export const internalPortFor = (httpPort: number): number =>
  httpPort === 0 ? 0 : httpPort + INTERNAL_PORT_OFFSET;

// The other keys of the block (`processor`) are the CLI's.
const settingsSchema = z.object({
  httpPort: z
    .number()
    .int()
    .min(1)
    .max(65_535 - INTERNAL_PORT_OFFSET)
    .optional(),
});

/** Reads and checks the settings; a ConfigError names the file and each wrong field. */
export function deploymentSettings(packageJson: URL | string): DeploymentSettings {
  const file = packageJson instanceof URL ? fileURLToPath(packageJson) : packageJson;
  let fleet: unknown;
  try {
    fleet = (JSON.parse(readFileSync(file, 'utf8')) as { fleet?: unknown } | null)?.fleet;
  } catch (error) {
    throw new ConfigError([`${file}: ${(error as Error).message}`], 'deployment settings');
  }
  const parsed = settingsSchema.safeParse(fleet ?? {});
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => `${file}: ${['fleet', ...i.path].join('.')}: ${i.message}`),
      'deployment settings',
    );
  return parsed.data;
}
