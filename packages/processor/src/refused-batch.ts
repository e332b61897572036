/** Headers of the placeholder our kafkajs patch delivers for a compressed batch over the inflate cap. */
export const refusedBatchHeader = 'kafkajs_refused_batch';
export const refusedBatchBaseOffsetHeader = 'kafkajs_batch_base_offset';
