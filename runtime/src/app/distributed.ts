// Distributed mode is not built yet (issue: distributed runtime).
import type { LogRegistry } from '../util/logging.js';
import type { RunningWorker } from './standalone.js';

export async function startDistributed(_props: Record<string, string>, _logs: LogRegistry): Promise<RunningWorker> {
  throw new Error('distributed mode is not implemented yet');
}
