// Structured JSON logs (winston) with named loggers whose levels can be
// changed at run time (resolved secrets masked, see secret-mask.ts), as Kafka Connect's /admin/loggers does with log4j:
// a level set on a namespace ("org.apache.kafka.connect" or "sluice.worker")
// applies to every logger below it unless a closer one is set.
import winston from 'winston';
import { maskDeep, maskSecrets } from './secret-mask.js';

export const LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;
export type LogLevel = (typeof LEVELS)[number];
const rank = (level: LogLevel) => LEVELS.indexOf(level);

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every entry (connector, task, ...). */
  child(fields: Record<string, unknown>): Logger;
}

export const ROOT_LOGGER = 'root';

export class LogRegistry {
  private readonly levels = new Map<string, { level: LogLevel; lastModified: number | null }>();
  private readonly known = new Set<string>();
  private readonly sink: winston.Logger;

  constructor(rootLevel: LogLevel = 'INFO', stream: NodeJS.WritableStream = process.stdout) {
    this.levels.set(ROOT_LOGGER, { level: rootLevel, lastModified: null });
    this.sink = winston.createLogger({
      level: 'silly',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream })],
    });
  }

  /** A named logger (e.g. "sluice.worker.WorkerSourceTask"). */
  logger(name: string, fields: Record<string, unknown> = {}): Logger {
    this.known.add(name);
    const emit = (level: LogLevel, message: string, extra?: Record<string, unknown>) => {
      if (rank(level) > rank(this.effectiveLevel(name))) return;
      // Resolved secrets never reach a log line, whatever a connector or client puts in it.
      this.sink.log(
        level.toLowerCase() === 'warn' ? 'warn' : level.toLowerCase(),
        maskSecrets(message),
        maskDeep({ level: level, logger: name, ...fields, ...extra }),
      );
    };
    return {
      error: (m, f) => emit('ERROR', m, f),
      warn: (m, f) => emit('WARN', m, f),
      info: (m, f) => emit('INFO', m, f),
      debug: (m, f) => emit('DEBUG', m, f),
      child: (more) => this.logger(name, { ...fields, ...more }),
    };
  }

  effectiveLevel(name: string): LogLevel {
    for (let ns = name; ; ns = ns.slice(0, ns.lastIndexOf('.'))) {
      const set = this.levels.get(ns);
      if (set) return set.level;
      if (!ns.includes('.')) break;
    }
    return this.levels.get(ROOT_LOGGER)!.level;
  }

  /** Every logger in use or with a level set, with its effective level (GET /admin/loggers). */
  all(): Record<string, { level: string; last_modified: number | null }> {
    const out: Record<string, { level: string; last_modified: number | null }> = {};
    for (const name of [...new Set([...this.known, ...this.levels.keys()])].sort()) {
      out[name] = { level: this.effectiveLevel(name), last_modified: this.levels.get(name)?.lastModified ?? null };
    }
    return out;
  }

  get(name: string): { level: string; last_modified: number | null } | undefined {
    if (!this.known.has(name) && !this.levels.has(name)) return undefined;
    return { level: this.effectiveLevel(name), last_modified: this.levels.get(name)?.lastModified ?? null };
  }

  /** Sets the level of a namespace; returns the loggers whose level this changed. */
  setLevel(namespace: string, level: string, now = Date.now()): string[] {
    const upper = level.toUpperCase() as LogLevel;
    if (!LEVELS.includes(upper)) throw new Error(`Invalid log level '${level}'`);
    const affected = [...this.known, namespace].filter(
      (n) => n === namespace || namespace === ROOT_LOGGER || n.startsWith(`${namespace}.`),
    );
    this.levels.set(namespace, { level: upper, lastModified: now });
    return [...new Set(affected)].sort();
  }
}
