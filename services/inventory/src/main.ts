import { runProcessor } from '@fleet/processor';
import { inventory } from './processor.ts';

await runProcessor(inventory);
