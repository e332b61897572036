import { OrderCancelled } from '@fleet/contracts';
import { clientOf } from '../auth/authenticate.ts';
import { claimOrder } from '../orders/claim-order.ts';
import {
  accepted,
  type CancelOrderAccepted,
  cancelOrderAccepted,
  cancelOrderBody,
  cancelOrderParams,
  commandErrorResponses,
  commandHeaders,
  forbiddenResponse,
} from '../schemas.ts';
import { executeCommand, publishEvent } from './execute-command.ts';
import type { IntakeApp, RouteDeps } from './route-context.ts';

/**
 * POST /orders/:orderId/cancel: publishes OrderCancelled for an order of the calling client. Intake
 * knows who owns an order, not its state: whether it exists yet or is already confirmed is for the
 * order saga (a cancel may overtake its order; it then claims the order ID for its client).
 */
export function cancelOrderRoute(app: IntakeApp, deps: RouteDeps): void {
  app.post(
    '/orders/:orderId/cancel',
    {
      schema: {
        operationId: 'cancelOrder',
        tags: ['orders'],
        summary: 'Cancel an order',
        description:
          'Publishes OrderCancelled on the `orders` topic, keyed by orderId. Only the client that placed the order may cancel it (403 otherwise). 202 once Kafka acknowledged it; whether the order can still be cancelled is decided downstream.',
        headers: commandHeaders,
        security: [{ apiKey: [] }],
        params: cancelOrderParams,
        body: cancelOrderBody,
        response: {
          202: accepted(cancelOrderAccepted, 'Accepted: OrderCancelled was published.'),
          ...commandErrorResponses,
          403: forbiddenResponse,
        },
      },
    },
    async (request, reply) => {
      const { orderId } = request.params;
      const { reason } = request.body;
      return executeCommand(request, reply, deps, {
        route: 'POST /orders/:orderId/cancel',
        input: { orderId, reason },
        async execute(ids) {
          await claimOrder(deps.orderOwners, orderId, clientOf(request), 'cancel');
          const eventId = ids('eventId');
          await publishEvent(
            request,
            deps,
            OrderCancelled,
            { orderId, reason, cancelledAt: new Date().toISOString() },
            eventId,
          );
          const response: CancelOrderAccepted = { eventId };
          return { statusCode: 202, body: response };
        },
      });
    },
  );
}
