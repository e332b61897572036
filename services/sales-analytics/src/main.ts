import { runProcessor } from '@fleet/processor';
import { salesAnalytics } from './processor.ts';

await runProcessor(salesAnalytics);
