import type { ClientIdentity } from '../auth/api-key-registry.ts';
import { HttpError } from '../http-error.ts';
import type { OrderOwners } from './order-owners.ts';

/**
 * Makes sure `client` owns the order before anything is published: a place for another client's
 * order ID is ORDER_ID_TAKEN (409), a cancel of another client's order FORBIDDEN (403). When the
 * store cannot answer, nothing is published (503): ownership is not guessed.
 */
export async function claimOrder(
  owners: OrderOwners,
  orderId: string,
  client: ClientIdentity,
  command: 'place' | 'cancel',
): Promise<void> {
  let owner: string;
  try {
    owner = await owners.claim(orderId, client.clientId);
  } catch (error) {
    throw new HttpError(
      'UNAVAILABLE',
      'The order ownership store is unavailable; nothing was published. Retry with the same Idempotency-Key.',
      { retryAfterSeconds: 1, cause: error },
    );
  }
  if (owner === client.clientId) return;
  if (command === 'place')
    throw new HttpError(
      'ORDER_ID_TAKEN',
      `Order ID ${orderId} belongs to another client. Send a new orderId, or none and the server assigns one.`,
    );
  throw new HttpError(
    'FORBIDDEN',
    `Order ${orderId} belongs to another client: a client may cancel only its own orders.`,
  );
}
