import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, runToCompletion } from '@fleet/testkit';
import pg from 'pg';
import { processAlive } from './chaos-broker.ts';

/**
 * A PostgreSQL cluster of the chaos run's own, from the server binaries on the machine (`initdb` into
 * a temporary directory, `pg_ctl start` on a free port, trust authentication on loopback), so the run
 * can crash-restart the server without touching the shared one. As root the server runs as the
 * `postgres` user (initdb refuses root) in a directory that user owns.
 */
export class ChaosPostgres {
  readonly dir: string;
  readonly port: number;
  readonly database = 'fleet_chaos';
  readonly #bin: string;
  readonly #asUser: string[];

  private constructor(dir: string, port: number, bin: string, asUser: string[]) {
    this.dir = dir;
    this.port = port;
    this.#bin = bin;
    this.#asUser = asUser;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get logFile(): string {
    return join(this.dir, 'postgres.log');
  }

  /** The run's database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${this.database}`;
  }

  /** How to start the kept cluster by hand after a failed run. */
  get startCommand(): string {
    return [...this.#asUser, ...this.#pgCtlStartArgs()]
      .map((a) => (a.includes(' ') ? `'${a}'` : a))
      .join(' ');
  }

  static async start(log: (line: string) => void): Promise<ChaosPostgres> {
    const bin = serverBinDir();
    const [port] = (await freePorts(1, Number(process.env.CHAOS_PG_PORT ?? 15432))) as [number];
    const dir = mkdtempSync(join(tmpdir(), 'fleet-chaos-pg-'));
    let asUser: string[] = [];
    if (process.getuid?.() === 0) {
      const user = process.env.CHAOS_PG_USER ?? 'postgres';
      const id = (flag: string) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
      const [uid, gid] = [id('-u'), id('-g')];
      if (!Number.isInteger(uid) || uid <= 0)
        throw new Error(`running as root, initdb needs another user: no user ${user} (set CHAOS_PG_USER)`);
      chownSync(dir, uid, gid);
      asUser = ['runuser', '-u', user, '--'];
    }
    const cluster = new ChaosPostgres(dir, port, bin, asUser);
    log(`starting the chaos PostgreSQL on 127.0.0.1:${port} (${bin}, data ${cluster.dataDir})`);
    await cluster.#run('initdb', [
      '-D',
      cluster.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    await cluster.#run('pg_ctl', cluster.#pgCtlStartArgs().slice(1));
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await client.connect();
    try {
      await client.query(`create database ${cluster.database}`);
    } finally {
      await client.end();
    }
    return cluster;
  }

  /** The postmaster's PID from `postmaster.pid`, when it runs. */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * A crash restart: `pg_ctl stop -m immediate` (every server process quits without a checkpoint, as
   * after a power cut of the server alone; connections drop), then start again, which replays the WAL.
   * Resolves once the server accepts connections; returns the old and the new postmaster PID.
   */
  async crashRestart(): Promise<{
    before: number | undefined;
    after: number | undefined;
    downSeconds: number;
  }> {
    const before = this.pid();
    await this.#run('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'immediate', '-w', '-t', '60']);
    const down = performance.now();
    await this.#run('pg_ctl', this.#pgCtlStartArgs().slice(1));
    return { before, after: this.pid(), downSeconds: (performance.now() - down) / 1000 };
  }

  /** Stops the server (fast shutdown); removes its directory unless it is kept for inspection. */
  async stop(remove: boolean): Promise<void> {
    if (this.pid() !== undefined)
      await this.#run('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60']);
    if (remove) rmSync(this.dir, { recursive: true, force: true });
  }

  #pgCtlStartArgs(): string[] {
    return [
      join(this.#bin, 'pg_ctl'),
      'start',
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-w',
      '-t',
      '60',
      '-o',
      // Loopback only, the socket in the run's directory; defaults otherwise (fsync on: a crash restart
      // must find what was committed).
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
    ];
  }

  #run(tool: string, args: string[]): Promise<void> {
    const [command, ...rest] = [...this.#asUser, join(this.#bin, tool), ...args] as [string, ...string[]];
    return runToCompletion(command, rest, { name: `${tool} ${args[0] ?? ''}` });
  }
}

/** The server binaries: CHAOS_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin (Debian), else `pg_config --bindir`. */
function serverBinDir(): string {
  if (process.env.CHAOS_PG_BIN) return process.env.CHAOS_PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const out = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = out.status === 0 ? out.stdout.trim() : '';
  if (dir && existsSync(join(dir, 'initdb'))) return dir;
  throw new Error(
    'no PostgreSQL server binaries (initdb, pg_ctl) found: install the server package or set CHAOS_PG_BIN',
  );
}
