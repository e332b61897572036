import { runProcessor } from '@fleet/processor';
import { orderLifecycle } from './processor.ts';

await runProcessor(orderLifecycle);
