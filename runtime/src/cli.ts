#!/usr/bin/env node
// sluice-runtime: the Kafka Connect worker, driven like Apache Kafka's scripts.
//   sluice-runtime standalone <worker.properties> [connector.properties|connector.json ...]
//   sluice-runtime distributed <worker.properties>
import { maskSecrets } from './util/secret-mask.js';
import { readFile } from 'node:fs/promises';
import { parseProperties } from './util/properties.js';
import { LogRegistry, type LogLevel } from './util/logging.js';
import type { RunningWorker } from './app/standalone.js';
import { silenceKafkaJsTimerWarnings } from './util/warnings.js';

/**
 * V8 grows the young generation up to 2 x 64 MB when much survives a
 * scavenge, as records waiting for Kafka do; that alone was ~100 MB of a
 * worker's RSS. 16 MB semi-spaces cost no measurable throughput on the
 * FileStream source/sink (1M records) and keep the peak ~60-100 MB lower.
 */
const V8_FLAGS = ['--max-semi-space-size=16'];

/**
 * Heap sizes are fixed when V8 starts, so unless the user chose them (node
 * flags or NODE_OPTIONS) the process replaces itself (execve: same pid,
 * nothing kept of this first image) with one started with V8_FLAGS.
 */
function reexecWithV8Flags(): void {
  const chosen = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  const sizeFlag = /^--(max[-_]semi[-_]space[-_]size|max[-_]heap[-_]size)(=|$)/;
  if (chosen.some((flag) => sizeFlag.test(flag)) || !process.execve) return;
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...V8_FLAGS, ...process.argv.slice(1)]);
}

const usage = `usage: sluice-runtime standalone <worker.properties> [connector.properties|connector.json ...]
       sluice-runtime distributed <worker.properties>`;

async function main(argv: string[]): Promise<void> {
  reexecWithV8Flags();
  silenceKafkaJsTimerWarnings();
  const [mode, workerFile, ...connectorFiles] = argv;
  if ((mode !== 'standalone' && mode !== 'distributed') || !workerFile) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  if (mode === 'distributed' && connectorFiles.length > 0) {
    process.stderr.write('distributed mode takes only the worker properties; create connectors over REST\n');
    process.exit(2);
  }
  let props: Record<string, string>;
  try {
    props = parseProperties(await readFile(workerFile, 'utf8'));
  } catch (err) {
    process.stderr.write(`error: cannot read ${workerFile}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const logs = new LogRegistry((props['log.level'] ?? 'INFO').toUpperCase() as LogLevel);
  const log = logs.logger('sluice.runtime.Cli');
  // A bug in one connector must never take the worker (and every other connector) down.
  process.on('unhandledRejection', (reason) =>
    log.error('Unhandled promise rejection', { error: reason instanceof Error ? reason.stack : String(reason) }),
  );
  process.on('uncaughtException', (err) => log.error('Uncaught exception', { error: err.stack ?? err.message }));

  let running: RunningWorker;
  try {
    // Loaded here, not imported statically: the re-exec above should not load the whole worker first.
    if (mode === 'standalone') {
      const { startStandalone } = await import('./app/standalone.js');
      running = await startStandalone(props, connectorFiles, logs);
    } else {
      const { startDistributed } = await import('./app/distributed.js');
      running = await startDistributed(props, logs, {
        // The group is lost for good (e.g. the group id is not authorized): exit so that the pod restarts.
        onFatalError: (err) => {
          log.error('Group membership failed; exiting', { error: (err as Error).message });
          process.exit(1);
        },
      });
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error('Failed to start the worker', { error: message });
    process.stderr.write(`error: ${maskSecrets(message)}\n`);
    process.exit(1);
  }
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      log.warn('Second signal: exiting without waiting for tasks', { signal });
      process.exit(1);
    }
    log.info('Shutting down', { signal });
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('Error during shutdown', { error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main(process.argv.slice(2));
