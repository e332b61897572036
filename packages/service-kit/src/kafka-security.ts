import { z } from 'zod';
import { pemFileProblem, readConfigFile, readSecret, secretGiven, secretProblems } from './config-files.ts';
import { envBool } from './env-bool.ts';

export const securityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof securityProtocols)[number];
export const saslMechanisms = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/** SASL options, one shape per mechanism: what kafkajs takes as `sasl`. */
export type KafkaSasl = {
  [M in SaslMechanism]: { mechanism: M; username: string; password: string };
}[SaslMechanism];

/** TLS options (PEM text, read at start-up): what kafkajs takes as `ssl`. */
export interface KafkaTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

/** Kafka's own spelling (SASL_SSL, SCRAM-SHA-512) or the lower case, as the operator writes it. */
const caseless = <T extends readonly [string, ...string[]]>(values: T, spell: (s: string) => string) =>
  z
    .string()
    .transform((s) => spell(s.trim()))
    .pipe(z.enum(values, { error: `one of ${values.join(', ')}` }));

/** The variables of a Kafka client's security, with the same names and rules in every service. */
export const kafkaSecurityEnv = {
  KAFKA_SECURITY_PROTOCOL: caseless(securityProtocols, (s) => s.toUpperCase()).default('PLAINTEXT'),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_CERT_FILE: z.string().optional(),
  KAFKA_SSL_KEY_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: envBool.default(true),
  KAFKA_SASL_MECHANISM: caseless(saslMechanisms, (s) => s.toLowerCase()).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().optional(),
};

type Env = Record<string, string | undefined>;
type KafkaSecurityEnv = z.output<z.ZodObject<typeof kafkaSecurityEnv>>;

const usesTls = (p: string | undefined) => p === 'SSL' || p === 'SASL_SSL';
const usesSasl = (p: string | undefined) => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';

/**
 * The rules across the security variables, on the raw environment (so they are listed with the
 * schema's problems even when some variable is malformed). PLAIN without TLS is refused: it sends the
 * password as it is. A setting that would be ignored is refused too: a CA file with PLAINTEXT, or
 * SASL credentials without a SASL protocol, means the connection is not what the operator believes.
 */
export function kafkaSecurityProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.KAFKA_SSL)
    problems.push(
      'KAFKA_SSL: no longer read: set KAFKA_SECURITY_PROTOCOL=SSL (TLS) or SASL_SSL (TLS and SASL) instead',
    );
  const protocol = (env.KAFKA_SECURITY_PROTOCOL ?? 'PLAINTEXT').trim().toUpperCase();
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  const is = `KAFKA_SECURITY_PROTOCOL is ${protocol}`;

  if (usesSasl(protocol)) {
    if (!mechanism)
      problems.push(`KAFKA_SASL_MECHANISM: required with ${protocol}: scram-sha-512, scram-sha-256 or plain`);
    if (!env.KAFKA_SASL_USERNAME) problems.push(`KAFKA_SASL_USERNAME: required with ${protocol}`);
    if (!secretGiven(env, 'KAFKA_SASL_PASSWORD'))
      problems.push(`KAFKA_SASL_PASSWORD: required with ${protocol} (or KAFKA_SASL_PASSWORD_FILE)`);
    if (mechanism === 'plain' && protocol === 'SASL_PLAINTEXT')
      problems.push(
        'KAFKA_SASL_MECHANISM: plain sends the password as it is, and SASL_PLAINTEXT does not encrypt: use KAFKA_SECURITY_PROTOCOL=SASL_SSL (or scram-sha-512)',
      );
  } else {
    for (const name of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'])
      if (secretGiven(env, name))
        problems.push(`${name}: set, but ${is}, which does not authenticate: use SASL_SSL`);
  }
  if (!usesTls(protocol)) {
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'])
      if (env[name]) problems.push(`${name}: set, but ${is}, which does not use TLS: use SSL or SASL_SSL`);
  }
  if (Boolean(env.KAFKA_SSL_CERT_FILE) !== Boolean(env.KAFKA_SSL_KEY_FILE))
    problems.push(
      'KAFKA_SSL_CERT_FILE: a client certificate needs its key: set both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE, or neither',
    );
  for (const problem of [
    pemFileProblem(env, 'KAFKA_SSL_CA_FILE', 'certificate'),
    pemFileProblem(env, 'KAFKA_SSL_CERT_FILE', 'certificate'),
    pemFileProblem(env, 'KAFKA_SSL_KEY_FILE', 'private key'),
    ...secretProblems(env, 'KAFKA_SASL_PASSWORD'),
  ])
    if (problem) problems.push(problem);
  return problems;
}

export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  ssl: false | KafkaTls;
  sasl: KafkaSasl | undefined;
}

/** TLS and SASL options from validated variables (files are read here, once). */
export function kafkaSecurity(e: KafkaSecurityEnv): KafkaSecurity {
  const { KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE } = e;
  const { KAFKA_SASL_PASSWORD, KAFKA_SASL_PASSWORD_FILE } = e;
  const files: Env = { KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE };
  const protocol = e.KAFKA_SECURITY_PROTOCOL;
  const ssl: false | KafkaTls = usesTls(protocol)
    ? {
        rejectUnauthorized: e.KAFKA_SSL_REJECT_UNAUTHORIZED,
        ...present('ca', readConfigFile(files, 'KAFKA_SSL_CA_FILE')),
        ...present('cert', readConfigFile(files, 'KAFKA_SSL_CERT_FILE')),
        ...present('key', readConfigFile(files, 'KAFKA_SSL_KEY_FILE')),
      }
    : false;
  const password = readSecret({ KAFKA_SASL_PASSWORD, KAFKA_SASL_PASSWORD_FILE }, 'KAFKA_SASL_PASSWORD');
  const sasl =
    usesSasl(protocol) && e.KAFKA_SASL_MECHANISM && e.KAFKA_SASL_USERNAME && password !== undefined
      ? ({ mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password } as KafkaSasl)
      : undefined;
  return { protocol, ssl, sasl };
}

const present = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
