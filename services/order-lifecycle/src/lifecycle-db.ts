import type { ColumnType, Generated } from 'kysely';

/** The saga's tables (in the `order_lifecycle` schema). */
export interface LifecycleDb {
  order_sagas: {
    order_id: string;
    /** The chart's state value, for queries; the full persisted snapshot is in `snapshot`. */
    state: string;
    snapshot: ColumnType<unknown, string, string>;
    updated_at: ColumnType<Date, string | undefined, string>;
    /** Incremented on every change: an optimistic check on top of the row lock. */
    version: number;
  };
  saga_anomalies: {
    id: Generated<string>;
    order_id: string;
    kind: string;
    state: string;
    event_id: string;
    event_type: string;
    detail: string | null;
    recorded_at: ColumnType<Date, string | undefined, never>;
  };
}
