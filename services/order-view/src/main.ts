import { runProcessor } from '@fleet/processor';
import { orderView } from './processor.ts';

// HTTP_PORT, else the package.json's fleet.httpPort.
await runProcessor(orderView, { packageJson: new URL('../package.json', import.meta.url) });
