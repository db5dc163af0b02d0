import { execFileSync, execSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A primary and a streaming standby of our own (issue 25), on loopback ports, data under a fresh /tmp
 * folder, never touching the PostgreSQL the other tests use. Built from the server binaries in
 * /usr/lib/postgresql/<version>/bin (PG_BIN overrides); as root, the servers run as the postgres user.
 * Used by the read-replica test, the failover lab (scripts/failover-lab.ts) and the failover chaos mode.
 */
export interface PgLab {
  dir: string;
  primaryPort: number;
  standbyPort: number;
  /** A connection string to `database` on the primary / standby. */
  primaryUrl(database?: string): string;
  standbyUrl(database?: string): string;
  /** The primary's postmaster pid (for SIGKILL). */
  primaryPid(): number;
  /** SIGKILLs the primary's postmaster and every backend of it, as a machine losing power would. */
  killPrimary(): void;
  /** `pg_ctl promote` on the standby; returns once it takes writes. */
  promote(): void;
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

export function pgBinDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b));
  const newest = versions[versions.length - 1];
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

const asRoot = process.getuid?.() === 0;

function run(bin: string, tool: string, args: string[]): string {
  const command = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] as const : [join(bin, tool), args] as const;
  return execFileSync(command[0], command[1], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function startPgLab(opts: PgLabOptions): PgLab {
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)');
  const dir = mkdtempSync('/tmp/purse-pg-lab-');
  chmodSync(dir, 0o755);
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const url = (port: number, database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const lab: PgLab = {
    dir,
    primaryPort: opts.primaryPort,
    standbyPort: opts.standbyPort,
    primaryUrl: (database) => url(opts.primaryPort, database),
    standbyUrl: (database) => url(opts.standbyPort, database),
    primaryPid: () => Number(readFileSync(join(primary, 'postmaster.pid'), 'utf8').split('\n')[0]),
    killPrimary: () => killTree(lab.primaryPid()),
    promote: () => { run(bin, 'pg_ctl', ['-D', standby, '-w', 'promote']); },
    psql: (node, sqlText) => execFileSync(join(bin, 'psql'), ['-XAtq', '-d', url(node === 'primary' ? opts.primaryPort : opts.standbyPort), '-c', sqlText], { encoding: 'utf8' }),
    stop: () => {
      for (const node of [primary, standby]) {
        if (existsSync(join(node, 'postmaster.pid'))) {
          try { run(bin, 'pg_ctl', ['-D', node, '-m', 'immediate', 'stop']); } catch { /* already down */ }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    buildClusters(bin, dir, opts);
    for (const database of opts.databases ?? []) lab.psql('primary', `create database ${database}`);
  } catch (error) {
    lab.stop();
    throw error;
  }
  return lab;
}

function buildClusters(bin: string, dir: string, opts: PgLabOptions): void {
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  run(bin, 'initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '--no-sync']);
  appendFileSync(join(primary, 'postgresql.conf'), [
    "listen_addresses = '127.0.0.1'", `port = ${opts.primaryPort}`, `unix_socket_directories = '${dir}'`,
    'wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', 'fsync = on',
    opts.synchronous ? "synchronous_standby_names = 'standby'" : '', '',
  ].join('\n'));
  appendFileSync(join(primary, 'pg_hba.conf'), 'host replication postgres 127.0.0.1/32 trust\n');
  run(bin, 'pg_ctl', ['-D', primary, '-l', join(dir, 'primary.log'), '-t', String(SERVER_START_WAIT_SECONDS), '-w', 'start']);
  run(bin, 'pg_basebackup', ['-h', '127.0.0.1', '-p', String(opts.primaryPort), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream']);
  // The promoted standby has no standby of its own: it must not wait for one on every COMMIT.
  const conf = readFileSync(join(standby, 'postgresql.conf'), 'utf8')
    .replace(/^port = .*$/m, `port = ${opts.standbyPort}`)
    .replace(/^synchronous_standby_names.*$/m, '');
  writeFileSync(join(standby, 'postgresql.conf'), conf);
  appendFileSync(join(standby, 'postgresql.auto.conf'), `primary_conninfo = 'host=127.0.0.1 port=${opts.primaryPort} user=postgres application_name=standby'\n`);
  run(bin, 'pg_ctl', ['-D', standby, '-l', join(dir, 'standby.log'), '-t', String(SERVER_START_WAIT_SECONDS), '-w', 'start']);
}

function killTree(pid: number): void {
  let listed = '';
  try { listed = execSync(`ps -o pid= --ppid ${pid}`).toString(); } catch { /* no children left */ }
  const children = listed.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  for (const target of [pid, ...children]) {
    try { process.kill(target, 'SIGKILL'); } catch { /* already gone */ }
  }
}
