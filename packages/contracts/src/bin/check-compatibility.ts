#!/usr/bin/env node
// Compatibility gate: asks the Schema Registry whether every event type's current schema can be
// registered next under its subject. Exit 0: all compatible or new; 1: a break; 2: could not check.
import { parseArgs } from 'node:util';
import { loadRegistrySettings, type RegistrySettings } from '@fleet/service-kit/connection';
import { checkCompatibility, formatCompatibilityReport } from '../compatibility-gate.ts';
import { orderEvents } from '../orders/index.ts';

const { values } = parseArgs({
  options: {
    // The native launcher's registry unless told otherwise, like apply-topics' brokers.
    'registry-url': {
      type: 'string',
      default: process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081/apis/ccompat/v7',
    },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`Usage: check-compatibility [--registry-url URL] [--json]

Checks every event type of @fleet/contracts against the Schema Registry (its subject's level).
--registry-url  Confluent-compatible API base (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081/apis/ccompat/v7)
                Basic auth: SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD (or _FILE), as the services
--json          print the report as JSON`);
  process.exit(0);
}

// The services' registry variables and rules (service-kit), credentials included.
let registry: RegistrySettings;
try {
  registry = loadRegistrySettings(
    { ...process.env, SCHEMA_REGISTRY_URL: values['registry-url'] },
    'registry settings (--registry-url overrides SCHEMA_REGISTRY_URL)',
  );
} catch (error) {
  console.error(`Could not check compatibility: ${(error as Error).message}`);
  process.exit(2);
}

try {
  const report = await checkCompatibility({
    registryUrl: registry.url,
    events: orderEvents,
    ...(registry.auth ? { auth: registry.auth } : {}),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatCompatibilityReport(report));
  process.exit(report.ok ? 0 : 1);
} catch (error) {
  console.error(`Could not check compatibility: ${(error as Error).message}`);
  process.exit(2);
}
