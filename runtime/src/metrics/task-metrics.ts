// Per-task counters on the hot path are plain numbers; the Prometheus view
// (metrics/prometheus.ts) reads them at scrape time, so counting a record
// costs an addition, not a metrics-library call.

/** A rate over a sliding window, like Kafka's Rate stat (per second). */
export class WindowRate {
  private readonly buckets: number[];
  private readonly stamps: number[];
  constructor(
    private readonly windowMs = 30_000,
    private readonly bucketCount = 6,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new Array<number>(bucketCount).fill(0);
    this.stamps = new Array<number>(bucketCount).fill(0);
  }
  record(n: number): void {
    const t = this.now();
    const width = this.windowMs / this.bucketCount;
    const i = Math.floor(t / width) % this.bucketCount;
    const start = Math.floor(t / width) * width;
    if (this.stamps[i] !== start) {
      this.stamps[i] = start;
      this.buckets[i] = 0;
    }
    this.buckets[i]! += n;
  }
  perSecond(): number {
    const t = this.now();
    let sum = 0;
    let oldest = t;
    for (let i = 0; i < this.bucketCount; i++) {
      if (t - this.stamps[i]! < this.windowMs) {
        sum += this.buckets[i]!;
        oldest = Math.min(oldest, this.stamps[i]!);
      }
    }
    const elapsed = Math.max(t - oldest, 1000);
    return (sum * 1000) / elapsed;
  }
}

export class TaskMetrics {
  readonly kind: 'source' | 'sink';
  // source-task-metrics
  pollTotal = 0;
  writeTotal = 0;
  readonly pollRate = new WindowRate();
  readonly writeRate = new WindowRate();
  // sink-task-metrics
  readTotal = 0;
  sendTotal = 0;
  readonly readRate = new WindowRate();
  readonly sendRate = new WindowRate();
  offsetCommitCompletionTotal = 0;
  offsetCommitSkipTotal = 0;
  offsetCommitSeqNo = 0;
  partitionCount = 0;
  // connector-task-metrics
  batchSizeMax = 0;
  private batchSizeSum = 0;
  private batches = 0;
  offsetCommitMaxMs = 0;
  private offsetCommitSum = 0;
  private offsetCommits = 0;
  offsetCommitFailures = 0;
  // task-error-metrics
  recordErrors = 0;
  recordFailures = 0;
  recordsSkipped = 0;
  retries = 0;
  errorsLogged = 0;
  dlqRequests = 0;
  dlqFailures = 0;
  lastErrorTimestamp = 0;

  // the task's Kafka client (kafka_producer_* / kafka_consumer_*): bytes sent (producer requests) or
  // received (record keys, values and headers fetched), and whether it is connected
  clientBytes = 0;
  clientConnected = false;
  // running-ratio / pause-ratio: time spent in each state since the task was created
  private readonly created: number;
  private state: 'running' | 'paused' | 'other' = 'other';
  private stateSince: number;
  private runningMs = 0;
  private pausedMs = 0;

  constructor(
    readonly connector: string,
    readonly task: number,
    kind: 'source' | 'sink',
    /** client.id of the task's producer or consumer */
    readonly clientId = '',
    private readonly now: () => number = Date.now,
  ) {
    this.kind = kind;
    this.created = this.stateSince = now();
  }

  /** The task's state changed (WorkerTask's status listener). */
  setState(state: 'running' | 'paused' | 'other'): void {
    this.accumulate();
    this.state = state;
  }
  runningRatio(): number {
    this.accumulate();
    const all = this.now() - this.created;
    return all > 0 ? this.runningMs / all : 0;
  }
  pauseRatio(): number {
    this.accumulate();
    const all = this.now() - this.created;
    return all > 0 ? this.pausedMs / all : 0;
  }
  private accumulate(): void {
    const t = this.now();
    if (this.state === 'running') this.runningMs += t - this.stateSince;
    else if (this.state === 'paused') this.pausedMs += t - this.stateSince;
    this.stateSince = t;
  }

  batch(size: number): void {
    this.batches++;
    this.batchSizeSum += size;
    if (size > this.batchSizeMax) this.batchSizeMax = size;
  }
  get batchSizeAvg(): number {
    return this.batches ? this.batchSizeSum / this.batches : 0;
  }
  offsetCommit(ms: number, ok: boolean): void {
    if (!ok) {
      this.offsetCommitFailures++;
      return;
    }
    this.offsetCommits++;
    this.offsetCommitSum += ms;
    if (ms > this.offsetCommitMaxMs) this.offsetCommitMaxMs = ms;
  }
  get offsetCommitAvgMs(): number {
    return this.offsetCommits ? this.offsetCommitSum / this.offsetCommits : 0;
  }
  get offsetCommitSuccessPercentage(): number {
    const all = this.offsetCommits + this.offsetCommitFailures;
    return all ? this.offsetCommits / all : 0;
  }
  error(kind: 'failure' | 'skipped' | 'retry' | 'logged'): void {
    this.lastErrorTimestamp = Date.now();
    if (kind === 'failure') {
      this.recordFailures++;
      this.recordErrors++;
    } else if (kind === 'skipped') this.recordsSkipped++;
    else if (kind === 'retry') this.retries++;
    else this.errorsLogged++;
  }
}
