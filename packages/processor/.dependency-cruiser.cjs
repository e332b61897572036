// The runtime's layers, one way only (see README "Layers"): core → runtime → operations → rebuild →
// admin → wiring. A module may import from its own layer and the layers before it, never after.
// Type-only imports are not dependencies at run time and are left out.
const layers = {
  wiring:
    '^src/((processor-runtime|runtime-listeners|runtime-rebuilds|consumer-parts|run-processor|index)\\.ts$|testing/)',
  admin: '^src/(admin/|http-server\\.ts$)',
  rebuild: '^src/rebuild/',
  operations: '^src/operations/',
  runtime:
    '^src/(consumer-supervisor|apply-batch|progress-monitor|control-follower|control-plane|control-tables|registered-processors|audit-log|admin-tokens|readiness-checks|dead-letter-topic|dedupe-pruner|schedule-runner|outbox-relay|ticker|runtime-events|runtime-logs|processor-metrics|lag-monitor|hold-back|telemetry|kafka-client|database|runtime-config|runtime-migrations)\\.ts$',
};
const order = ['runtime', 'operations', 'rebuild', 'admin', 'wiring'];
const later = (i) =>
  order
    .slice(i + 1)
    .map((l) => layers[l])
    .join('|');

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle ties modules together: break it with a port (a function passed in).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-no-layer-above',
      severity: 'error',
      comment:
        'Core (decode, dedupe, sub-batch, outbox) knows nothing of the consumer, operations, rebuild or admin.',
      from: { path: '^src/', pathNot: [...Object.values(layers), '\\.test\\.ts$'] },
      to: { path: order.map((l) => layers[l]).join('|') },
    },
    ...order.slice(0, -1).map((layer, i) => ({
      name: `${layer}-imports-no-layer-above`,
      severity: 'error',
      from: { path: layers[layer], pathNot: '\\.test\\.ts$' },
      to: { path: later(i) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: false,
    exclude: { path: '\\.test\\.ts$' },
  },
};
