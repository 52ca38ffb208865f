// What an operator suite prints when one of its tests fails, as the
// end-to-end suite does: the operator's own recent log lines (the suites run
// the operator in-process, so they are kept in memory instead of discarded),
// the test namespace's Sluice resources and their children, its events, and
// the tail of each local worker's log.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../operator/src/kube/logger.js';
import type { TestEnv } from './env.js';
import { kubectl } from './kube.js';

/** A Logger that keeps the last `limit` lines for diagnostics and prints nothing. */
export class RecordingLogger implements Logger {
  private readonly lines: string[] = [];

  constructor(private readonly limit = 300) {}

  private record(level: string, message: string, meta?: Record<string, unknown>): void {
    this.lines.push(`${new Date().toISOString()} ${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
    if (this.lines.length > this.limit) this.lines.shift();
  }

  debug(message: string, meta?: Record<string, unknown>): void {
    this.record('debug', message, meta);
  }
  info(message: string, meta?: Record<string, unknown>): void {
    this.record('info', message, meta);
  }
  warn(message: string, meta?: Record<string, unknown>): void {
    this.record('warn', message, meta);
  }
  error(message: string, meta?: Record<string, unknown>): void {
    this.record('error', message, meta);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export interface SuiteDiagnostics {
  readonly env: () => TestEnv;
  /** The suite's namespaces (read when a test fails). */
  readonly namespaces: () => readonly string[];
  readonly operatorLog?: RecordingLogger;
  /** Log files of worker processes the suite started. */
  readonly workerLogs?: () => readonly string[];
}

/** Registers an afterEach that prints the suite's diagnostics when a test failed. */
export function dumpOnFailure(d: SuiteDiagnostics): void {
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    this.timeout(60_000);
    console.error(await suiteDiagnostics(d));
  });
}

export async function suiteDiagnostics(d: SuiteDiagnostics): Promise<string> {
  const parts: string[] = [];
  const safe = async (title: string, body: () => Promise<string>) => {
    try {
      parts.push(`---- ${title}\n${await body()}`);
    } catch (err) {
      parts.push(`---- ${title}: ${(err as Error).message}`);
    }
  };
  if (d.operatorLog) parts.push(`---- operator log (last lines)\n${d.operatorLog.text()}`);
  for (const ns of d.namespaces()) {
    const kinds = 'kafkaconnects,connectors,statefulsets,deployments,configmaps,services,pods,pvc';
    await safe(`${ns}: resources`, () => kubectl(d.env(), '-n', ns, 'get', kinds, '-o', 'wide'));
    await safe(`${ns}: Sluice resources`, () =>
      kubectl(d.env(), '-n', ns, 'get', 'kafkaconnects,connectors', '-o', 'yaml'),
    );
    await safe(`${ns}: events`, () => kubectl(d.env(), '-n', ns, 'get', 'events', '--sort-by=.lastTimestamp'));
  }
  for (const file of d.workerLogs?.() ?? []) {
    await safe(`worker log ${file} (tail)`, async () =>
      (await readFile(file, 'utf8')).split('\n').slice(-80).join('\n'),
    );
  }
  return parts.join('\n');
}
