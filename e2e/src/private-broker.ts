// A Kafka broker of a test's own, for tests that stop and start a broker (the
// shared one on 9092 serves everyone's tests): e2e/env/kafka.sh with its
// state in a temp dir and free ports, on the cached jars. One KRaft node, or
// three (KAFKA_BROKERS=3: ports +0, +100, +200) for broker failover. With
// podHost (the node's address) it also listens where pods reach it.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './env.js';
import { freePort, tempDir } from './runtime-process.js';

const run = promisify(execFile);

export class PrivateBroker {
  private constructor(
    readonly state: string,
    readonly port: number,
    readonly controllerPort: number,
    readonly brokers: 1 | 3,
    private readonly pod?: { readonly host: string; readonly port: number },
  ) {}

  static async create({ brokers = 1, podHost }: { brokers?: 1 | 3; podHost?: string } = {}): Promise<PrivateBroker> {
    const pod = podHost ? { host: podHost, port: await freePort() } : undefined;
    return new PrivateBroker(await tempDir('kafka-private'), await freePort(), await freePort(), brokers, pod);
  }

  get bootstrapServers(): string {
    return Array.from({ length: this.brokers }, (_, i) => `127.0.0.1:${this.port + i * 100}`).join(',');
  }

  /** Where pods reach it (created with podHost). */
  get podBootstrapServers(): string {
    if (!this.pod) throw new Error('this broker was created without podHost');
    return Array.from({ length: this.brokers }, (_, i) => `${this.pod!.host}:${this.pod!.port + i * 100}`).join(',');
  }

  /** The pod listener's ports (one per node). */
  get podPorts(): number[] {
    return this.pod ? Array.from({ length: this.brokers }, (_, i) => this.pod!.port + i * 100) : [];
  }

  /** Stops node `n` (1 to 3) of a three-node cluster. */
  stopNode(n: number): Promise<void> {
    return this.script('stop-node', String(n));
  }

  /** Starts node `n` again; resolves once it serves. */
  startNode(n: number): Promise<void> {
    return this.script('start-node', String(n));
  }

  get logFile(): string {
    return path.join(this.state, 'kafka/server.log');
  }

  /** Starts the broker (formats its storage the first time); resolves once it serves. */
  up(): Promise<void> {
    return this.script('up');
  }

  /** Stops it (SIGTERM, then SIGKILL after 30 s); its data stays for the next up(). */
  down(): Promise<void> {
    return this.script('down');
  }

  /** Stops it and removes its data. */
  async destroy(): Promise<void> {
    await this.script('down').catch(() => undefined);
    await rm(this.state, { recursive: true, force: true });
  }

  private async script(...args: string[]): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLUICE_STATE: this.state,
      KAFKA_HOST: '127.0.0.1',
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_BROKERS: String(this.brokers),
    };
    delete env.KAFKA_POD_HOST;
    if (this.pod) {
      env.KAFKA_POD_HOST = this.pod.host;
      env.KAFKA_POD_PORT = String(this.pod.port);
    }
    await run('bash', [path.join(repoRoot, 'e2e/env/kafka.sh'), ...args], { env, timeout: 180_000 });
  }
}
