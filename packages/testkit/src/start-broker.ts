import {
  launcherPid,
  logFileOf,
  removeStateDir,
  runLauncher,
  startOnFreePorts,
  temporaryStateDir,
} from './native-launcher.ts';

export interface BrokerOptions {
  /** Client port; the controller takes the next one. Default: two free ports from 20000 up. */
  port?: number;
  /** Data, logs and PID file. Default: a temporary directory, removed by `stop()`. */
  stateDir?: string;
  /** JVM heap options (KAFKA_HEAP). Default: the launcher's, `-Xmx1g -Xms256m`. */
  heap?: string;
  /** Seconds to wait for the broker to answer (KAFKA_START_TIMEOUT). Default: the launcher's, 90. */
  startTimeoutSeconds?: number;
}

export interface StartedBroker {
  /** `127.0.0.1:<port>`, for KAFKA_BROKERS or kafkajs' `brokers`. */
  readonly bootstrapServers: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly stateDir: string;
  readonly logFile: string;
  /** The broker's JVM while it runs (for a test that kills it), else undefined. */
  pid(): number | undefined;
  /** Starts it again on the same data (after a kill); a no-op while it runs. */
  start(): Promise<void>;
  /** SIGTERM, wait for the exit, start again on the same data: topics, offsets and groups survive. */
  restart(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 20 s); removes a temporary state directory unless told otherwise. */
  stop(options?: { removeState?: boolean }): Promise<void>;
}

/**
 * A Kafka broker of the test's own (single-node KRaft), started by the native launcher
 * (infra/native/infra.sh `up kafka`) on its own ports and state directory: the test may restart or
 * kill it, and its topics hold only what the test wrote. Needs Java 17+ (and Maven once, to fetch Kafka).
 *
 * ```ts
 * const broker = await startBroker();
 * const kafka = new Kafka({ brokers: [broker.bootstrapServers] });
 * await broker.stop();
 * ```
 */
export async function startBroker(options: BrokerOptions = {}): Promise<StartedBroker> {
  const stateDir = options.stateDir ?? temporaryStateDir('kafka');
  const ownsState = options.stateDir === undefined;
  return await startOnFreePorts('kafka', 2, options.port, async ([port, controllerPort]) => {
    const settings: Record<string, string> = {
      FLEET_STATE_DIR: stateDir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      ...(options.heap ? { KAFKA_HEAP: options.heap } : {}),
      ...(options.startTimeoutSeconds ? { KAFKA_START_TIMEOUT: String(options.startTimeoutSeconds) } : {}),
    };
    const broker: StartedBroker = {
      bootstrapServers: `127.0.0.1:${port}`,
      port: port as number,
      controllerPort: controllerPort as number,
      stateDir,
      logFile: logFileOf(stateDir, 'kafka'),
      pid: () => launcherPid(stateDir, 'kafka'),
      start: () => runLauncher(['up', 'kafka'], settings),
      restart: () => runLauncher(['restart', 'kafka'], settings),
      async stop({ removeState = ownsState } = {}) {
        await runLauncher(['down', 'kafka'], settings);
        if (removeState) removeStateDir(stateDir);
      },
    };
    try {
      await broker.start();
    } catch (error) {
      // A start that timed out leaves the JVM running: stop it before trying elsewhere or failing.
      await runLauncher(['down', 'kafka'], settings).catch(() => {});
      throw error;
    }
    return broker;
  }).catch((error: unknown) => {
    if (ownsState) removeStateDir(stateDir);
    throw error;
  });
}
