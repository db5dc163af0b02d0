import { execFile, execFileSync, execSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A primary and a streaming standby of our own (issue 25), on loopback ports, data under a fresh /tmp
 * folder, never touching the PostgreSQL the other tests use. Built from the server binaries in
 * /usr/lib/postgresql/<version>/bin (PG_BIN overrides); as root, the servers run as the postgres user.
 * After a failover (killPrimary + promote) `rebuildStandby` makes the dead node a standby of the promoted
 * one, on its old port, so the same multi-host URL serves the next failover. Used by the read-replica test
 * and the failover chaos mode (chaos/failover.ts).
 */
export interface PgLab {
  dir: string;
  primaryPort(): number;
  standbyPort(): number;
  /** A connection string to `database` on the current primary / standby. */
  primaryUrl(database?: string): string;
  standbyUrl(database?: string): string;
  /** Both hosts, as Purse's DATABASE_URL names them (libpq multi-host, read-write). */
  multiHostUrl(database: string): string;
  /** SIGKILLs the primary's postmaster and every backend of it, as a machine losing power would. */
  killPrimary(): void;
  /** `pg_ctl promote` on the standby; resolves once it takes writes. The roles swap. */
  promote(): Promise<void>;
  /** The killed node, rebuilt with pg_basebackup as a streaming standby of the promoted one. */
  rebuildStandby(): void;
  /** Resolves once the rebuilt standby streams again (Patroni clones it in the background). */
  awaitStandby?(): Promise<void>;
  /** Runs `sqlText` on the primary's or standby's `postgres` database through psql. */
  psql(node: 'primary' | 'standby', sqlText: string): string;
  stop(): void;
}

export interface PgLabOptions {
  primaryPort: number;
  standbyPort: number;
  /** Synchronous replication: COMMIT returns once the standby has the WAL on disk. */
  synchronous: boolean;
  /** Databases to create on the primary (replicated to the standby). */
  databases?: string[];
}

const SERVER_START_WAIT_SECONDS = 30;
const STANDBY_NAME = 'standby';
const LOG_TAIL_CHARS = 2_000;
const run = promisify(execFile);

export function pgBinDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b));
  const newest = versions[versions.length - 1];
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

const asRoot = process.getuid?.() === 0;

function command(bin: string, tool: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
}

function runSync(bin: string, tool: string, args: string[]): string {
  const [file, argv] = command(bin, tool, args);
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Node {
  dir: string;
  port: number;
}

export function startPgLab(opts: PgLabOptions): PgLab {
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)');
  const dir = mkdtempSync('/tmp/purse-pg-lab-');
  chmodSync(dir, 0o755);
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  let primary: Node = { dir: join(dir, 'a'), port: opts.primaryPort };
  let standby: Node = { dir: join(dir, 'b'), port: opts.standbyPort };
  const url = (port: number, database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = (node: 'primary' | 'standby', sqlText: string) =>
    execFileSync(join(bin, 'psql'), ['-XAtq', '-d', url(node === 'primary' ? primary.port : standby.port), '-c', sqlText], { encoding: 'utf8' });
  const lab: PgLab = {
    dir,
    primaryPort: () => primary.port,
    standbyPort: () => standby.port,
    primaryUrl: (database) => url(primary.port, database),
    standbyUrl: (database) => url(standby.port, database),
    multiHostUrl: (database) => `postgres://postgres@127.0.0.1:${opts.primaryPort},127.0.0.1:${opts.standbyPort}/${database}?target_session_attrs=read-write`,
    killPrimary: () => killTree(Number(readFileSync(join(primary.dir, 'postmaster.pid'), 'utf8').split('\n')[0])),
    promote: async () => {
      const [file, argv] = command(bin, 'pg_ctl', ['-D', standby.dir, '-w', 'promote']);
      await run(file, argv);
      [primary, standby] = [standby, primary];
    },
    rebuildStandby: () => {
      rmSync(standby.dir, { recursive: true, force: true });
      startStandby(bin, dir, primary, standby);
      if (opts.synchronous) {
        psql('primary', `alter system set synchronous_standby_names = '${STANDBY_NAME}'`);
        psql('primary', 'select pg_reload_conf()');
      }
    },
    psql,
    stop: () => {
      for (const node of [primary, standby]) {
        if (existsSync(join(node.dir, 'postmaster.pid'))) {
          try { runSync(bin, 'pg_ctl', ['-D', node.dir, '-m', 'immediate', 'stop']); } catch { /* already down */ }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    startPrimary(bin, dir, primary, opts.synchronous);
    startStandby(bin, dir, primary, standby);
    for (const database of opts.databases ?? []) psql('primary', `create database ${database}`);
  } catch (error) {
    lab.stop();
    throw error;
  }
  return lab;
}

function startPrimary(bin: string, dir: string, node: Node, synchronous: boolean): void {
  runSync(bin, 'initdb', ['-D', node.dir, '-U', 'postgres', '--auth=trust', '--no-sync']);
  appendFileSync(join(node.dir, 'postgresql.conf'), [
    "listen_addresses = '127.0.0.1'", `port = ${node.port}`, `unix_socket_directories = '${dir}'`,
    'wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', 'fsync = on',
    synchronous ? `synchronous_standby_names = '${STANDBY_NAME}'` : '', '',
  ].join('\n'));
  appendFileSync(join(node.dir, 'pg_hba.conf'), 'host replication postgres 127.0.0.1/32 trust\n');
  startServer(bin, node);
}

/** A base backup of `primary` streaming from it. A standby that is promoted later must not wait for a standby of its own. */
function startStandby(bin: string, dir: string, primary: Node, node: Node): void {
  runSync(bin, 'pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', node.dir, '-R', '-X', 'stream']);
  const withoutSync = (text: string) => text.replace(/^synchronous_standby_names.*$/gm, '');
  const conf = join(node.dir, 'postgresql.conf');
  writeFileSync(conf, withoutSync(readFileSync(conf, 'utf8')).replace(/^port = .*$/m, `port = ${node.port}`));
  const auto = join(node.dir, 'postgresql.auto.conf');
  writeFileSync(auto, `${withoutSync(readFileSync(auto, 'utf8'))}primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=${STANDBY_NAME}'\n`);
  startServer(bin, node);
}

function startServer(bin: string, node: Node): void {
  try {
    runSync(bin, 'pg_ctl', ['-D', node.dir, '-l', `${node.dir}.log`, '-t', String(SERVER_START_WAIT_SECONDS), '-w', 'start']);
  } catch (error) {
    const log = existsSync(`${node.dir}.log`) ? readFileSync(`${node.dir}.log`, 'utf8').slice(-LOG_TAIL_CHARS) : '(no log)';
    throw new Error(`PostgreSQL on port ${node.port} did not start: ${(error as Error).message}\n${log}`);
  }
}

/**
 * Every backend is its own session (PostgreSQL calls setsid in each child), so there is no group to kill:
 * the postmaster is stopped first (it can fork no more), then its children and it are SIGKILLed.
 */
function killTree(pid: number): void {
  try { process.kill(pid, 'SIGSTOP'); } catch { return; /* already gone */ }
  let listed = '';
  try { listed = execSync(`ps -o pid= --ppid ${pid}`).toString(); } catch { /* no children */ }
  const children = listed.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  for (const target of [...children, pid]) {
    try { process.kill(target, 'SIGKILL'); } catch { /* already gone */ }
  }
}
