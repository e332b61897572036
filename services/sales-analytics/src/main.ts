import { runProcessor } from '@fleet/processor';
import { salesAnalytics } from './processor.ts';

// HTTP_PORT, else the package.json's fleet.httpPort.
await runProcessor(salesAnalytics, { packageJson: new URL('../package.json', import.meta.url) });
