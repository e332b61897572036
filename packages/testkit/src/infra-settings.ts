/** Where the tests' real infrastructure answers. Read from the environment (as set by the
 * native launcher, CI or a developer), or provided by the global setup when it started containers. */
export interface InfraSettings {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
}

export const defaultInfraSettings = {
  kafkaBrokers: '127.0.0.1:9092',
  schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
} as const;

export function infraSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): InfraSettings {
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? defaultInfraSettings.kafkaBrokers).split(',').map((b) => b.trim()),
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? defaultInfraSettings.schemaRegistryUrl,
    databaseUrl: env.DATABASE_URL ?? defaultInfraSettings.databaseUrl,
  };
}

/** The settings the global setup chose; it exports them to the environment the test workers inherit. */
export function infraSettings(): InfraSettings {
  return infraSettingsFromEnv();
}
