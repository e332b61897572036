import { generateAsyncApiYaml } from '../asyncapi.ts';
import { orderEvents } from './index.ts';

/** The AsyncAPI document of the order-fulfilment fleet (what docs/asyncapi.yaml holds). */
export function orderAsyncApiYaml(): string {
  return generateAsyncApiYaml({
    events: orderEvents,
    title: 'Order fulfilment fleet',
    version: '1.0.0',
    description:
      "Events of the order-fulfilment fleet: orders, inventory and payments. CloudEvents 1.0 in Kafka headers (binary mode); values are JSON in the Confluent Schema Registry wire format. Every free-text string field (ids, sku, customerId, reason, detail, warehouse...) is storable text: no NUL (U+0000), no unpaired UTF-16 surrogate, no control character other than tab, line feed and carriage return; producers refuse such values and the fleet's readers treat a record holding one as invalid (EVENT_INVALID). The JSON Schemas below do not express this rule (it is a zod check, so the registered schemas did not change). Generated from @fleet/contracts: do not edit, run `pnpm --filter @fleet/contracts asyncapi`.",
    exampleSource: '/fleet/checkout',
  });
}
