import { ProcessorError } from './errors.ts';

/** Headers of the placeholder our kafkajs patch delivers for a compressed batch over the inflate cap. */
export const refusedBatchHeader = 'kafkajs_refused_batch';
export const refusedBatchBaseOffsetHeader = 'kafkajs_batch_base_offset';

/** A record batch the client would not inflate: its compressed bytes go to the DLQ as one letter. */
export class RefusedBatchError extends ProcessorError {
  constructor(reason: string, headers: Readonly<Record<string, string>>) {
    super(
      'RECORD_BATCH_REFUSED',
      `the compressed record batch at offsets ${headers[refusedBatchBaseOffsetHeader] ?? '?'}… was not inflated (${reason}); the dead letter holds its compressed bytes`,
    );
  }
}
