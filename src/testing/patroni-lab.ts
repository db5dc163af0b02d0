import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PgLab, pgBinDir } from './pg-lab.ts';

/**
 * The failover lab's Patroni variant (issue 25): one etcd (v2 API, as Debian's python-etcd speaks it) and two
 * Patroni-managed nodes with synchronous_mode, on loopback ports, data under a fresh /tmp folder. The same
 * PgLab interface as pg-lab.ts, so `chaos --failover --patroni` runs the same schedules: killPrimary SIGKILLs
 * the leader's Patroni and postmaster, promote waits for Patroni to promote the replica (the leader key must
 * expire first: TTL_S), rebuildStandby wipes the dead node and restarts its Patroni, which clones the leader.
 */
const ETCD_CLIENT_PORT = 52379;
const ETCD_PEER_PORT = 52380;
const REST_PORTS = [58008, 58009] as const;
const TTL_S = 10;
const WAIT_LIMIT_MS = 120_000;
const POLL_MS = 200;

const asRoot = process.getuid?.() === 0;

interface PatroniNode {
  name: string;
  pgPort: number;
  restPort: number;
  dataDir: string;
  config: string;
  process: ChildProcess | undefined;
}

function launch(dir: string, logName: string, file: string, args: string[]): ChildProcess {
  const out = openSync(join(dir, logName), 'a');
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return spawn(command, argv, { stdio: ['ignore', out, out] });
}

/** runuser's child is the server itself: that is the process a SIGKILL must reach. */
function serverPid(child: ChildProcess): number | undefined {
  if (!asRoot) return child.pid;
  try {
    return Number(execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).split('\n')[0]);
  } catch {
    return undefined;
  }
}

function nodeConfig(dir: string, bin: string, node: PatroniNode): string {
  return `scope: purse-lab
name: ${node.name}
restapi: {listen: 127.0.0.1:${node.restPort}, connect_address: 127.0.0.1:${node.restPort}}
etcd: {host: 127.0.0.1:${ETCD_CLIENT_PORT}}
bootstrap:
  dcs:
    ttl: ${TTL_S}
    loop_wait: 1
    retry_timeout: 5
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      parameters: {wal_level: replica, hot_standby: 'on', max_wal_senders: 5, max_replication_slots: 5, fsync: 'on'}
  initdb: [{auth: trust}, {username: postgres}]
  pg_hba: ['host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', 'local all all trust']
postgresql:
  listen: 127.0.0.1:${node.pgPort}
  connect_address: 127.0.0.1:${node.pgPort}
  data_dir: ${node.dataDir}
  bin_dir: ${bin}
  pgpass: ${dir}/pgpass-${node.name}
  parameters: {unix_socket_directories: '${dir}'}
  authentication:
    superuser: {username: postgres}
    replication: {username: postgres}
`;
}

async function restStatus(port: number, path: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/${path}`).catch(() => null);
  await res?.arrayBuffer();
  return res?.status ?? 0;
}

async function waitFor(what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`Patroni lab: ${what} not within ${WAIT_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function startPatroniLab(opts: { pgPorts: [number, number]; databases: string[] }): Promise<PgLab> {
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)');
  const dir = mkdtempSync('/tmp/purse-patroni-lab-');
  chmodSync(dir, 0o755);
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const etcd = launchEtcd(dir);
  const nodes: PatroniNode[] = opts.pgPorts.map((pgPort, i) => ({ name: `node${i + 1}`, pgPort, restPort: REST_PORTS[i]!, dataDir: join(dir, `node${i + 1}`), config: join(dir, `node${i + 1}.yml`), process: undefined }));
  const start = (node: PatroniNode) => {
    writeFileSync(node.config, nodeConfig(dir, bin, node));
    if (asRoot) execFileSync('chown', ['postgres', node.config]);
    node.process = launch(dir, `${node.name}.log`, 'patroni', [node.config]);
  };
  let leader = nodes[0]!;
  let other = nodes[1]!;
  const url = (port: number, database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = (role: 'primary' | 'standby', sqlText: string) =>
    execFileSync(join(bin, 'psql'), ['-XAtq', '-d', url((role === 'primary' ? leader : other).pgPort), '-c', sqlText], { encoding: 'utf8' });
  const settled = () => waitFor('a leader and a synchronous replica', async () => (await restStatus(leader.restPort, 'primary')) === 200 && (await restStatus(other.restPort, 'sync')) === 200);
  const lab: PgLab = {
    dir,
    primaryPort: () => leader.pgPort,
    standbyPort: () => other.pgPort,
    primaryUrl: (database) => url(leader.pgPort, database),
    standbyUrl: (database) => url(other.pgPort, database),
    multiHostUrl: (database) => `postgres://postgres@${opts.pgPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${database}?target_session_attrs=read-write`,
    killPrimary: () => {
      const patroni = leader.process ? serverPid(leader.process) : undefined;
      const pidFile = join(leader.dataDir, 'postmaster.pid');
      const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
      for (const pid of [patroni, leader.process?.pid, postmaster]) {
        if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    },
    promote: async () => {
      await waitFor('Patroni promoting the replica', async () => (await restStatus(other.restPort, 'primary')) === 200);
      [leader, other] = [other, leader];
    },
    rebuildStandby: () => {
      rmSync(other.dataDir, { recursive: true, force: true });
      start(other);
    },
    psql,
    stop: () => stopPatroniLab(dir, bin, nodes, etcd),
  };
  start(nodes[0]!);
  await waitFor('node1 leading', async () => (await restStatus(nodes[0]!.restPort, 'primary')) === 200);
  start(nodes[1]!);
  await settled();
  for (const database of opts.databases) psql('primary', `create database ${database}`);
  lab.awaitStandby = settled;
  return lab;
}

/** etcd for Patroni's leader key, on loopback ports of its own. */
function launchEtcd(dir: string): ReturnType<typeof launch> {
  return launch(dir, 'etcd.log', 'etcd', ['--name', 'lab', '--data-dir', join(dir, 'etcd'), '--enable-v2=true',
    '--listen-client-urls', `http://127.0.0.1:${ETCD_CLIENT_PORT}`, '--advertise-client-urls', `http://127.0.0.1:${ETCD_CLIENT_PORT}`,
    '--listen-peer-urls', `http://127.0.0.1:${ETCD_PEER_PORT}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${ETCD_PEER_PORT}`,
    '--initial-cluster', `lab=http://127.0.0.1:${ETCD_PEER_PORT}`]);
}

/** Patroni stops its PostgreSQL on SIGTERM; whatever is left after that is stopped here, then the lab's files go. */
function stopPatroniLab(dir: string, bin: string, nodes: PatroniNode[], etcd: ReturnType<typeof launch>): void {
  for (const child of [...nodes.map((n) => n.process), etcd]) {
    const pid = child ? serverPid(child) : undefined;
    if (pid) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  }
  // Patroni stops its PostgreSQL on SIGTERM; whatever is left after that is stopped here.
  for (const node of nodes) {
    if (existsSync(join(node.dataDir, 'postmaster.pid'))) {
      try { execFileSync(asRoot ? 'runuser' : join(bin, 'pg_ctl'), asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', node.dataDir, '-m', 'immediate', 'stop'] : ['-D', node.dataDir, '-m', 'immediate', 'stop']); } catch { /* down */ }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
