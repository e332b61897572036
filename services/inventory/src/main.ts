import { runProcessor } from '@fleet/processor';
import { inventory } from './processor.ts';

// HTTP_PORT, else the package.json's fleet.httpPort.
await runProcessor(inventory, { packageJson: new URL('../package.json', import.meta.url) });
