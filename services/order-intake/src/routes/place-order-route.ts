import { OrderPlaced } from '@fleet/contracts';
import { clientOf } from '../auth/authenticate.ts';
import { claimOrder } from '../orders/claim-order.ts';
import {
  accepted,
  commandErrorResponses,
  commandHeaders,
  orderTotalCents,
  type PlaceOrderAccepted,
  placeOrderAccepted,
  placeOrderBody,
} from '../schemas.ts';
import { executeCommand, publishEvent } from './execute-command.ts';
import type { IntakeApp, RouteDeps } from './route-context.ts';

/**
 * POST /orders: validates the order, records the caller as its owner and publishes OrderPlaced (v2),
 * keyed by the order ID.
 */
export function placeOrderRoute(app: IntakeApp, deps: RouteDeps): void {
  app.post(
    '/orders',
    {
      schema: {
        operationId: 'placeOrder',
        tags: ['orders'],
        summary: 'Place an order',
        description:
          'Publishes OrderPlaced (v2) on the `orders` topic, keyed by orderId; totalCents is the sum of the lines. The order belongs to the calling client: only it may cancel it. 202 once Kafka acknowledged it.',
        headers: commandHeaders,
        security: [{ apiKey: [] }],
        body: placeOrderBody,
        response: {
          202: accepted(placeOrderAccepted, 'Accepted: OrderPlaced was published.'),
          ...commandErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      return executeCommand(request, reply, deps, {
        route: 'POST /orders',
        input: body,
        async execute(ids) {
          const orderId = body.orderId ?? ids('orderId');
          await claimOrder(deps.orderOwners, orderId, clientOf(request), 'place');
          const eventId = ids('eventId');
          await publishEvent(
            request,
            deps,
            OrderPlaced,
            {
              orderId,
              customerId: body.customerId,
              lines: body.lines,
              totalCents: orderTotalCents(body.lines),
              currency: body.currency,
              placedAt: new Date().toISOString(),
            },
            eventId,
          );
          const response: PlaceOrderAccepted = { orderId, eventId };
          return { statusCode: 202, body: response };
        },
      });
    },
  );
}
