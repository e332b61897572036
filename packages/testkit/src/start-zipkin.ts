import {
  logFileOf,
  removeStateDir,
  runLauncher,
  startOnFreePorts,
  temporaryStateDir,
} from './native-launcher.ts';

export interface ZipkinOptions {
  /** HTTP port (collector, query API and UI). Default: a free port from 22000 up. */
  port?: number;
  /** Logs and PID file. Default: a temporary directory, removed by `stop()`. */
  stateDir?: string;
}

export interface StartedZipkin {
  /** `http://127.0.0.1:<port>`: the query API under /api/v2, the UI under /zipkin/. */
  readonly url: string;
  /** Where services send their spans (OTEL_EXPORTER_ZIPKIN_ENDPOINT). */
  readonly spansEndpoint: string;
  readonly port: number;
  readonly stateDir: string;
  readonly logFile: string;
  stop(options?: { removeState?: boolean }): Promise<void>;
}

/**
 * A Zipkin server of the test's own, started by the native launcher (infra/native/infra.sh
 * `up zipkin`) on its own port, traces in memory; the jar comes from the shared cache, fetched from
 * Maven Central the first time. Needs Java 17+.
 */
export async function startZipkin(options: ZipkinOptions = {}): Promise<StartedZipkin> {
  const stateDir = options.stateDir ?? temporaryStateDir('zipkin');
  const ownsState = options.stateDir === undefined;
  return await startOnFreePorts('zipkin', 1, options.port, async ([port]) => {
    const settings = { FLEET_STATE_DIR: stateDir, ZIPKIN_PORT: String(port) };
    try {
      await runLauncher(['up', 'zipkin'], settings);
    } catch (error) {
      await runLauncher(['down', 'zipkin'], settings).catch(() => {});
      throw error;
    }
    const url = `http://127.0.0.1:${port}`;
    return {
      url,
      spansEndpoint: `${url}/api/v2/spans`,
      port: port as number,
      stateDir,
      logFile: logFileOf(stateDir, 'zipkin'),
      async stop({ removeState = ownsState } = {}) {
        await runLauncher(['down', 'zipkin'], settings);
        if (removeState) removeStateDir(stateDir);
      },
    };
  }).catch((error: unknown) => {
    if (ownsState) removeStateDir(stateDir);
    throw error;
  });
}
