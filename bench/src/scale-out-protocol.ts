/**
 * What an instance process of the scale-out measurement (`scale-out-instance.ts`) and the measuring
 * process say to each other over IPC. Times are `Date.now()` of the sender: every process of the
 * measurement runs on this machine, so their clocks are one.
 */
export type InstanceMessage =
  /** Node has started and loaded the runtime's code: ready to be told to join. */
  | { kind: 'booted'; at: number }
  /** The runtime has started: joined the group (kafkajs' join and sync are awaited in its start). */
  | { kind: 'started'; at: number }
  /** The first events reached this instance's handler. */
  | { kind: 'handled'; at: number }
  /**
   * A sub-batch is durable (the runtime's `batch.applied`): `records` fetched records, redelivered
   * ones included; `fresh` is the running count of events this instance handed to its handler
   * (new event IDs only: the dedupe filters before the handler).
   */
  | { kind: 'applied'; at: number; partition: number; records: number; fresh: number }
  /** kafkajs noticed a rebalance (at a heartbeat or fetch) and rejoins: the member stops fetching. */
  | { kind: 'rebalancing'; at: number }
  /** kafkajs joined and synced: the member's partitions from now on. */
  | { kind: 'joined'; at: number; partitions: number[] }
  | { kind: 'stopped'; at: number; report: InstanceReport }
  | { kind: 'error'; message: string };

export type ParentMessage =
  /** Start the runtime: join the group. */
  | { kind: 'join' }
  /** Start of the measured window: the instance notes its CPU time now. */
  | { kind: 'mark' }
  /** Graceful stop: the in-flight sub-batch finishes, the instance leaves the group, reports, exits. */
  | { kind: 'stop' };

export interface InstanceReport {
  /** When the stop was received, and how long the runtime's graceful stop took. */
  stopReceivedAt: number;
  stopSeconds: number;
  /** Process CPU (user + system) from the `mark` (or from the start when never marked) to the stop. */
  cpuSecondsSinceMark: number;
  cpuSecondsTotal: number;
  /** Kernel peak RSS of the process (maxRSS). */
  peakRssMb: number;
  /** Events handed to the handler (new IDs) and records in applied sub-batches, over its life. */
  fresh: number;
  records: number;
}
