import type { Migration } from 'kysely/migration';
import { stockAndReservations } from './001-stock-and-reservations.ts';
import { seedCatalogue } from './002-seed-catalogue.ts';

/** Applied in name order inside the service's schema. Never edit one that has shipped; add the next. */
export const migrations: Record<string, Migration> = {
  '001_stock_and_reservations': stockAndReservations,
  '002_seed_catalogue': seedCatalogue,
};
