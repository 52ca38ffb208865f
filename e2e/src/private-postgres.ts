// A PostgreSQL server of a test's own, for tests that stop, restart or kill
// PostgreSQL (the environment's server on 5433 serves everyone's tests): the
// Debian binaries that e2e/env/postgres.sh installs, a cluster initdb'ed in a
// temp dir, a free port, wal_level=logical, listening on 127.0.0.1 and (when
// the node's network exists here) on the node's address so pods reach it.
// `env` has the PostgresEnv shape, so e2e/src/pg.ts and cdc.ts work with it.
//
// PostgreSQL refuses to run as root: the server runs as the `postgres` system
// user (runuser), its data directory owned by that user. pg_ctl starts the
// postmaster in its own session, so the postmaster's pid is also the process
// group of every server process: kill() ends exactly those, by that id.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { PostgresEnv } from './env.js';
import { eventually } from './eventually.js';
import { freePort, tempDir } from './runtime-process.js';

const run = promisify(execFile);

/** The node's address (e2e/env/lib.sh NODE_IP) that pods reach this machine at. */
const NODE_IP = process.env.NODE_IP ?? '10.201.0.1';

/** Servers still running, ended (SIGKILL, data removed) if the test process exits without destroy(). */
const live = new Set<PrivatePostgres>();
process.on('exit', () => {
  for (const p of live) p.abandonSync();
});

/** Debian's newest PostgreSQL bin directory (/usr/lib/postgresql/<v>/bin), as postgres.sh finds it. */
export async function debianPgBin(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [] as string[]))
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(a) - Number(b));
  const v = versions.at(-1);
  if (!v) throw new Error('no PostgreSQL under /usr/lib/postgresql (npm run env:up installs it)');
  return `/usr/lib/postgresql/${v}/bin`;
}

/**
 * The node's address when this machine has it (on the node's bridge), else null. Probed by binding
 * a listener to it: os.networkInterfaces() leaves out an interface without carrier, which the
 * bridge is while no pod runs on the node.
 */
function nodeAddressHere(): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(null));
    probe.listen(0, NODE_IP, () => probe.close(() => resolve(NODE_IP)));
  });
}

export interface PrivatePostgresOptions {
  /** Extra postgresql.conf lines (`key = value`). */
  settings?: Record<string, string | number>;
}

export class PrivatePostgres {
  private pid: number | null = null;

  private constructor(
    readonly dir: string,
    readonly bin: string,
    readonly env: PostgresEnv,
  ) {}

  /** initdb's a fresh cluster and starts it; the caller destroy()s it. */
  static async create(opts: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const bin = await debianPgBin();
    const dir = await tempDir('pg-private');
    const data = path.join(dir, 'data');
    const password = randomBytes(16).toString('hex');
    const port = await freePort();
    const podHost = await nodeAddressHere();
    const owner = await serverOwner();
    if (owner) await chown(dir, owner.uid, owner.gid);
    const pwfile = path.join(dir, 'pw');
    await writeFile(pwfile, password, { mode: 0o600 });
    if (owner) await chown(pwfile, owner.uid, owner.gid);
    await asPostgres(path.join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'sluice',
      `--pwfile=${pwfile}`,
      '-A',
      'scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    await rm(pwfile);
    await writeFile(
      path.join(data, 'pg_hba.conf'),
      [
        '# Written by e2e/src/private-postgres.ts.',
        'host all all 127.0.0.1/32 scram-sha-256',
        'host all all 10.0.0.0/8 scram-sha-256',
        'host replication all 127.0.0.1/32 scram-sha-256',
        'host replication all 10.0.0.0/8 scram-sha-256',
        '',
      ].join('\n'),
    );
    const settings: Record<string, string | number> = {
      listen_addresses: `'127.0.0.1${podHost ? `,${podHost}` : ''}'`,
      port,
      unix_socket_directories: "''",
      wal_level: 'logical',
      max_replication_slots: 10,
      max_wal_senders: 10,
      max_connections: 50,
      shared_buffers: '32MB',
      max_wal_size: '1GB',
      // A killed server loses nothing the OS has (the tests kill processes, not the machine); saves disk I/O.
      fsync: 'off',
      wal_sender_timeout: '60s',
      ...opts.settings,
    };
    await writeFile(
      path.join(data, 'postgresql.auto.conf'),
      Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n') + '\n',
    );
    if (owner) await run('chown', ['-R', `${owner.uid}:${owner.gid}`, data]);
    const major = (await readFile(path.join(data, 'PG_VERSION'), 'utf8')).trim();
    const p = new PrivatePostgres(dir, bin, {
      host: '127.0.0.1',
      port,
      podHost,
      user: 'sluice',
      password,
      database: 'sluice',
      version: major,
    });
    live.add(p);
    await p.start();
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'sluice', password, database: 'postgres' });
    await c.connect();
    try {
      await c.query('CREATE DATABASE sluice');
    } finally {
      await c.end();
    }
    return p;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get logFile(): string {
    return path.join(this.dir, 'server.log');
  }

  /** Starts the server (after stop() or kill(): crash recovery runs first); resolves once it accepts connections. */
  async start(): Promise<void> {
    await asPostgres(path.join(this.bin, 'pg_ctl'), [
      'start',
      '-w',
      '-t',
      '120',
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
    ]).catch(async (err) => {
      const log = await readFile(this.logFile, 'utf8').catch(() => '');
      throw new Error(`private postgres did not start: ${String(err)}\n${log.split('\n').slice(-15).join('\n')}`);
    });
    this.pid = Number((await readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  }

  /** A clean shutdown (`pg_ctl stop -m fast`: sessions and walsenders are ended, a checkpoint is written). */
  async stop(): Promise<void> {
    if (this.pid === null) return;
    await asPostgres(path.join(this.bin, 'pg_ctl'), ['stop', '-w', '-t', '120', '-m', 'fast', '-D', this.dataDir]);
    this.pid = null;
  }

  /** stop() then start(). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** SIGKILL to every server process (the postmaster's process group): start() then runs crash recovery. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    this.killSync();
    await eventually(`postmaster ${pid} to exit`, () => !alive(pid), { timeoutMs: 30_000, intervalMs: 100 });
    // Backends notice their postmaster's death on their own; the group kill already ended them.
    await rm(path.join(this.dataDir, 'postmaster.pid'), { force: true });
  }

  /** Synchronous SIGKILL of the server's process group. */
  killSync(): void {
    if (this.pid === null) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    this.pid = null;
  }

  /** For the exit handler: kill and remove the files, synchronously. */
  abandonSync(): void {
    this.killSync();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops the server (killing it when a clean stop fails) and removes its files. */
  async destroy(): Promise<void> {
    live.delete(this);
    await this.stop().catch(() => this.kill());
    this.killSync();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** As root the server runs as the `postgres` system user, which must own its files; otherwise as us (null). */
async function serverOwner(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres system user (npm run env:up installs PostgreSQL)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function asPostgres(cmd: string, args: string[]): Promise<void> {
  const argv = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  await run(argv[0] as string, argv[1] as string[], { timeout: 180_000 });
}
