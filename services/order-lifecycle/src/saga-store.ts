import type { Transaction } from 'kysely';
import { initialTransition, type SnapshotFrom } from 'xstate';
import type { LifecycleDb } from './lifecycle-db.ts';
import {
  type OrderSagaMachine,
  orderSagaMachine,
  type SagaContext,
  type SagaState,
} from './order-saga-machine.ts';

export type SagaSnapshot = SnapshotFrom<OrderSagaMachine>;

interface PersistedSaga {
  value: SagaState;
  context: SagaContext;
}

export interface LockedSaga {
  snapshot: SagaSnapshot;
  /** 0 when the saga did not exist before this transaction (it has been inserted with version 1). */
  version: number;
}

/**
 * Loads the order's saga and locks its row until the transaction ends, creating it first when it
 * does not exist. Events of one order come from three topics, consumed by partitions in parallel: the
 * row lock (and insert … on conflict, which waits for a concurrent insert) serialises them.
 */
export async function lockSaga(db: Transaction<LifecycleDb>, orderId: string): Promise<LockedSaga> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const row = await db
      .selectFrom('order_sagas')
      .select(['snapshot', 'version'])
      .where('order_id', '=', orderId)
      .forUpdate()
      .executeTakeFirst();
    if (row) return { snapshot: restore(row.snapshot as PersistedSaga), version: row.version };
    const [initial] = initialTransition(orderSagaMachine, { orderId });
    const inserted = await db
      .insertInto('order_sagas')
      .values({ order_id: orderId, state: String(initial.value), snapshot: persist(initial), version: 1 })
      .onConflict((oc) => oc.column('order_id').doNothing())
      .returning('version')
      .executeTakeFirst();
    if (inserted) return { snapshot: initial, version: 1 };
    // Another transaction created it meanwhile: the next select waits for and locks its row.
  }
  throw new Error(`saga of order ${orderId} could neither be read nor created`);
}

/** Writes the next snapshot; the version check fails loudly if the row changed under the lock (a bug). */
export async function saveSaga(
  db: Transaction<LifecycleDb>,
  orderId: string,
  version: number,
  snapshot: SagaSnapshot,
): Promise<void> {
  const result = await db
    .updateTable('order_sagas')
    .set({
      state: String(snapshot.value),
      snapshot: persist(snapshot),
      version: version + 1,
      updated_at: new Date().toISOString(),
    })
    .where('order_id', '=', orderId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n)
    throw new Error(`saga of order ${orderId} changed concurrently (expected version ${version})`);
}

export function persist(snapshot: SagaSnapshot): string {
  return JSON.stringify(orderSagaMachine.getPersistedSnapshot(snapshot));
}

export function restore(persisted: PersistedSaga): SagaSnapshot {
  // Snapshots saved before payments could be voided have no `voided` list.
  const context = { ...persisted.context, voided: persisted.context.voided ?? [] };
  return orderSagaMachine.resolveState({ value: persisted.value, context });
}
