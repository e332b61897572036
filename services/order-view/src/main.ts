import { runProcessor } from '@fleet/processor';
import { orderView } from './processor.ts';

await runProcessor(orderView);
