import { describe, expect, it } from 'vitest';
import { resolveConnectionSettings } from './connection-settings.ts';
import { parseDuration } from './duration.ts';
import { ExitCode } from './exit-codes.ts';
import { hexDump, utf8Preview } from './hex-dump.ts';
import { parsePartitionOffsets } from './partition-offsets.ts';
import { runCli } from './run-cli.ts';
import { renderTable } from './table.ts';
import { terminalSafe } from './terminal-safe.ts';

const cli = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
};

describe('fleet command line (no I/O)', () => {
  it('parses durations and offsets, and says how to write them when wrong', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('5')).toBe(5000);
    expect(() => parseDuration('soon')).toThrow(/write e.g. 30s/);
    expect(parsePartitionOffsets('0:12, 1:3', '--offsets')).toEqual([
      { topic: undefined, partition: 0, offset: 12 },
      { topic: undefined, partition: 1, offset: 3 },
    ]);
    expect(parsePartitionOffsets('orders.v1:2:7', '--to-offsets')).toEqual([
      { topic: 'orders.v1', partition: 2, offset: 7 },
    ]);
    expect(() => parsePartitionOffsets('0-12', '--offsets')).toThrow(/partition:offset/);
  });

  it('takes connections from options, then env, then the launcher defaults', () => {
    expect(resolveConnectionSettings({}, {})).toMatchObject({
      kafka: { brokers: ['127.0.0.1:9092'], ssl: false, sasl: undefined },
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    expect(
      resolveConnectionSettings(
        { brokers: 'k1:9092,k2:9093' },
        { KAFKA_BROKERS: 'x:1', DATABASE_URL: 'postgres://u@db/fleet' },
      ),
    ).toMatchObject({ kafka: { brokers: ['k1:9092', 'k2:9093'] }, databaseUrl: 'postgres://u@db/fleet' });
  });

  it("reads TLS and SASL with the services' variables and rules, and reports every wrong setting at once", () => {
    expect(
      resolveConnectionSettings(
        {},
        {
          KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
          KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
          KAFKA_CLIENT_ID: 'ops',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'ops',
          KAFKA_SASL_PASSWORD: 'pw',
        },
      ).kafka,
    ).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'ops',
      protocol: 'SASL_SSL',
      ssl: { rejectUnauthorized: false },
      sasl: { mechanism: 'scram-sha-512', username: 'ops', password: 'pw' },
    });
    let message = '';
    try {
      resolveConnectionSettings(
        { brokers: 'kafka' },
        {
          DATABASE_URL: 'mysql://u:secret@db/x',
          KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_PASSWORD: 'secret',
        },
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/KAFKA_BROKERS.*host:port/);
    expect(message).toMatch(/DATABASE_URL: must be a PostgreSQL URL/);
    expect(message).toMatch(/KAFKA_SASL_MECHANISM: plain sends the password/);
    expect(message).toMatch(/KAFKA_SASL_USERNAME.*required/);
    expect(message).not.toContain('secret');
    expect(() =>
      resolveConnectionSettings(
        {},
        { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' },
      ),
    ).toThrow(/KAFKA_SSL_CA_FILE: .*nonexistent/);
  });

  it('exits 2 on usage errors before touching Kafka or Postgres', async () => {
    expect((await cli()).code).toBe(ExitCode.usage);
    expect((await cli('nonsense')).code).toBe(ExitCode.usage);
    expect((await cli('pause')).code).toBe(ExitCode.usage);
    expect((await cli('status', '--brokers', 'nope')).code).toBe(ExitCode.usage);
    expect((await cli('pause', 'x', '--timeout', 'forever')).code).toBe(ExitCode.usage);
    const redrive = await cli('dlq', 'redrive', 'x');
    expect(redrive.code).toBe(ExitCode.usage);
    expect(redrive.stderr).toContain('--all, or --offsets');
    expect((await cli('replay', 'x')).code).toBe(ExitCode.usage);
    expect((await cli('replay', 'x', '--from', 'yesterday')).code).toBe(ExitCode.usage);
    expect((await cli('dlq', 'list', '--limit', '0')).code).toBe(ExitCode.usage);
  });

  it('prints help with the exit codes (exit 0), and asks rebuild for a processor (exit 2)', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(ExitCode.ok);
    expect(help.stdout).toContain('4  timed out waiting for instances to acknowledge');
    const rebuild = await cli('rebuild');
    expect(rebuild.code).toBe(ExitCode.usage);
    expect(rebuild.stderr).toContain('processor');
  });

  it('prints JSON errors with --json', async () => {
    const result = await cli('dlq', 'redrive', 'x', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'SELECTION_REQUIRED', exitCode: 2 } });
  });

  it('dumps bytes as hex with an ascii column', () => {
    expect(hexDump(Buffer.from('{"a":1}'))).toMatch(/^00000000 {2}7b 22 61 22 3a 31 7d {2,}\|\{"a":1\}\|$/);
  });
});

describe('printing what records hold', () => {
  it('turns control characters into visible escapes, so a dead letter cannot drive the terminal', () => {
    expect(terminalSafe('ok\u001b[2J\u001b]0;owned\u0007\r\n\u009b\u007f')).toBe(
      'ok\\x1b[2J\\x1b]0;owned\\x07\\x0d\\x0a\\x9b\\x7f',
    );
    expect(terminalSafe('é 🙂 \ud800')).toBe('é 🙂 \ufffd');
    const table = renderTable(['key'], [['a\u001b[31mred']]);
    expect(table).not.toContain('\u001b');
    expect(table).toContain('a\\x1b[31mred');
    expect(utf8Preview(Buffer.from('{"k":"\u001b[2J"}'))).toBe('{"k":"\\x1b[2J"}');
  });
});
