// The JVM metrics Strimzi's Kafka Connect dashboard charts (the JMX
// exporter's jvm_memory_used_bytes, jvm_gc_collection_seconds,
// jvm_threads_current), filled from Node's own numbers so the same panels
// show a Sluice worker: heap and non-heap memory, garbage collection time by
// kind, and the threads of the process (main, libuv pool, V8 helpers).
import { readdirSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { Gauge, Summary, type Registry } from 'prom-client';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-sweep-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

/** Threads of this process (Linux /proc); 1 elsewhere. */
function threadCount(): number {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return 1;
  }
}

export function addJvmAliases(registry: Registry): void {
  const registers = [registry];
  new Gauge({
    name: 'jvm_memory_used_bytes',
    help: 'Used memory by area (heap: V8 heap used; nonheap: the rest of the resident set)',
    labelNames: ['area'],
    registers,
    collect() {
      const m = process.memoryUsage();
      this.set({ area: 'heap' }, m.heapUsed);
      this.set({ area: 'nonheap' }, Math.max(m.rss - m.heapUsed, 0));
    },
  });
  new Gauge({
    name: 'jvm_threads_current',
    help: 'Current thread count of the process',
    registers,
    collect() {
      this.set(threadCount());
    },
  });
  const gc = new Summary({
    name: 'jvm_gc_collection_seconds',
    help: 'Time spent in garbage collection, by kind',
    labelNames: ['gc'],
    percentiles: [],
    registers,
  });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
      gc.observe({ gc: GC_KINDS[kind] ?? 'other' }, entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}
