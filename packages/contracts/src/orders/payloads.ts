import { z } from 'zod';
import { storableText } from '../storable-text.ts';

/** Building blocks shared by the order-fulfilment events. Amounts are integer cents. */
export const orderId = z
  .uuid()
  .describe('The order, a UUID; the record key of every order-fulfilment event.');
export const customerId = storableText().min(1).max(64).describe('The customer who placed the order.');
export const cents = z.number().int().nonnegative().describe('An amount in cents (minor units).');
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .describe('ISO 4217 currency code, e.g. EUR.');
export const timestamp = z.iso.datetime().describe('RFC 3339 timestamp (UTC).');

export const orderLine = z.object({
  sku: storableText().min(1).max(64).describe('Stock keeping unit.'),
  quantity: z.number().int().positive().describe('How many units, > 0.'),
  unitPrice: cents.describe('Price of one unit in cents.'),
});
export type OrderLine = z.infer<typeof orderLine>;
