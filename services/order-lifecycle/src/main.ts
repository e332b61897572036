import { runProcessor } from '@fleet/processor';
import { orderLifecycle } from './processor.ts';

// HTTP_PORT, else the package.json's fleet.httpPort.
await runProcessor(orderLifecycle, { packageJson: new URL('../package.json', import.meta.url) });
