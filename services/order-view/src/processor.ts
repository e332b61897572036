import { defineProcessor } from '@fleet/processor';
import { orderFactMappings } from './handlers/order-facts.ts';
import { projectOrderFacts } from './handlers/project-order-facts.ts';
import { orderRoutes } from './http/order-routes.ts';
import { migrations } from './migrations/index.ts';
import type { ViewDb } from './view-db.ts';

/** The order summary read model: every order-fulfilment fact in, an HTTP query API out. */
export const orderView = defineProcessor<ViewDb>()({
  name: 'order_view',
  routes: ({ onBatch }) =>
    orderFactMappings.map(({ event, fact }) => onBatch(event, projectOrderFacts(fact))),
  migrations,
  http: orderRoutes,
});
