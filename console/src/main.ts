// The operator console: `./fleetw console` (root script), or started by `./fleetw start`.
import { ConfigError } from '@fleet/service-kit';
import { loadConsoleConfig } from './config.ts';
import { startConsole } from './console-app.ts';

let config: ReturnType<typeof loadConsoleConfig>;
try {
  config = loadConsoleConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`fleet-console: ${error.message}\nsee the console section of .env.example`);
  process.exit(78);
}

try {
  const running = await startConsole(config);
  const lines = [`fleet console on ${running.address}`];
  if (config.generatedTokens) {
    const token = (role: string) => config.tokens.find((t) => t.role === role)?.token;
    lines.push(
      'no FLEET_CONSOLE_READ_TOKEN / FLEET_CONSOLE_WRITE_TOKEN set: tokens for this run only',
      `  write token: ${token('write')}`,
      `  read token:  ${token('read')}`,
    );
  }
  if (!config.adminToken)
    lines.push(
      "no FLEET_ADMIN_TOKEN: the console shows what it reads but cannot use the processors' admin API (set the same token for both)",
    );
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (error) {
  console.error(`fleet-console: could not start: ${(error as Error).message}`);
  process.exit(1);
}
