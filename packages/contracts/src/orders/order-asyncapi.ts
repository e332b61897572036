import { generateAsyncApiYaml } from '../asyncapi.ts';
import { orderEvents } from './index.ts';

/** The AsyncAPI document of the order-fulfilment fleet (what docs/asyncapi.yaml holds). */
export function orderAsyncApiYaml(): string {
  return generateAsyncApiYaml({
    events: orderEvents,
    title: 'Order fulfilment fleet',
    version: '1.0.0',
    description:
      'Events of the order-fulfilment fleet: orders, inventory and payments. CloudEvents 1.0 in Kafka headers (binary mode); values are JSON in the Confluent Schema Registry wire format. Generated from @fleet/contracts: do not edit, run `pnpm --filter @fleet/contracts asyncapi`.',
    exampleSource: '/fleet/checkout',
  });
}
