// The test environment and the machine, as a benchmark reports them.
import { execFile, spawn } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../e2e/src/env.js';

export interface BenchEnv {
  readonly kafka: { readonly bootstrapServers: string; readonly version: string };
}

/**
 * Brings the environment up (idempotent; SLUICE_STATE, KAFKA_PORT, ... pick
 * which one) and returns its JSON, the script's last stdout line.
 */
export async function envUp(): Promise<BenchEnv> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'e2e/env/up.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`up.sh exited ${code}`))));
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as BenchEnv;
}

export async function machineFacts() {
  // `java -version` writes to stderr; this is the java apache-connect.sh runs.
  const { stderr } = await promisify(execFile)('java', ['-version']);
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    java: stderr.split('\n')[0]?.trim() ?? 'unknown',
  };
}
