import { OrderCancelled } from '@fleet/contracts';
import {
  accepted,
  type CancelOrderAccepted,
  cancelOrderAccepted,
  cancelOrderBody,
  cancelOrderParams,
  commandErrorResponses,
  commandHeaders,
} from '../schemas.ts';
import { executeCommand, publishEvent } from './execute-command.ts';
import type { IntakeApp, RouteDeps } from './route-context.ts';

/**
 * POST /orders/:orderId/cancel: publishes OrderCancelled. Intake keeps no order state, so it does not
 * know whether the order exists or is already confirmed; the order saga decides what a cancel means.
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
          'Publishes OrderCancelled on the `orders` topic, keyed by orderId. 202 once Kafka acknowledged it; whether the order can still be cancelled is decided downstream.',
        headers: commandHeaders,
        params: cancelOrderParams,
        body: cancelOrderBody,
        response: {
          202: accepted(cancelOrderAccepted, 'Accepted: OrderCancelled was published.'),
          ...commandErrorResponses,
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
