// A Kafka broker of a test's own, for tests that stop and start a broker (the
// shared one on 9092 serves everyone's tests): e2e/env/kafka.sh with its
// state in a temp dir and free ports, on the cached jars. Single node KRaft.
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
  ) {}

  static async create(): Promise<PrivateBroker> {
    return new PrivateBroker(await tempDir('kafka-private'), await freePort(), await freePort());
  }

  get bootstrapServers(): string {
    return `127.0.0.1:${this.port}`;
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

  private async script(command: string): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLUICE_STATE: this.state,
      KAFKA_HOST: '127.0.0.1',
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
    };
    delete env.KAFKA_POD_HOST;
    await run('bash', [path.join(repoRoot, 'e2e/env/kafka.sh'), command], { env, timeout: 180_000 });
  }
}
