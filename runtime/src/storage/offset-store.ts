// Source offsets, stored as Kafka Connect stores them: the key is the JSON
// `["<connector>",{partition}]`, the value the JSON offset map (null = reset).
// Lookups go through a canonical form so offsets written by another worker
// (or by Apache Kafka Connect) are found whatever order their map keys have.
import { jacksonText } from '../converters/java-text.js';
import type { SourceOffset, SourcePartition } from '../sdk/index.js';
import { canonicalJson } from '../util/json.js';

export interface OffsetEntry {
  readonly partition: SourcePartition;
  readonly offset: SourceOffset | null;
}

export interface OffsetStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Committed offsets of one connector's partitions (null when none). */
  get(connector: string, partitions: readonly SourcePartition[]): Promise<Array<SourceOffset | null>>;
  /** Durably records these offsets; a null offset removes the partition. */
  set(connector: string, entries: readonly OffsetEntry[]): Promise<void>;
  /** Every partition of a connector with its offset (GET /connectors/{c}/offsets). */
  connectorOffsets(connector: string): Promise<OffsetEntry[]>;
}

/**
 * The serialized key Kafka Connect writes for a source partition, byte for
 * byte (Jackson's escapes): the key decides the record's partition and what
 * compaction keeps, so both runtimes must write the same bytes.
 */
export const offsetKey = (connector: string, partition: SourcePartition): string =>
  jacksonText(JSON.stringify([connector, partition]));

/** The serialized offset value, as Kafka Connect writes it. */
export const offsetValue = (offset: SourceOffset): string => jacksonText(JSON.stringify(offset));

/** Parses a serialized key; undefined when it is not a Connect offset key. */
export function parseOffsetKey(key: string): { connector: string; partition: SourcePartition } | undefined {
  try {
    const parsed: unknown = JSON.parse(key);
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      parsed[1] &&
      typeof parsed[1] === 'object'
    ) {
      return { connector: parsed[0], partition: parsed[1] as SourcePartition };
    }
  } catch {
    // not JSON: not ours
  }
  return undefined;
}

/** In-memory offsets keyed canonically; the base of the file and Kafka stores. */
export class MemoryOffsetStore implements OffsetStore {
  /** canonical key -> serialized key and value as last written */
  protected readonly data = new Map<string, { key: string; value: string }>();

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async get(connector: string, partitions: readonly SourcePartition[]): Promise<Array<SourceOffset | null>> {
    return partitions.map((p) => {
      const hit = this.data.get(canonicalJson([connector, p]));
      return hit ? (JSON.parse(hit.value) as SourceOffset) : null;
    });
  }

  async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    for (const e of entries)
      this.apply(offsetKey(connector, e.partition), e.offset === null ? null : offsetValue(e.offset));
  }

  async connectorOffsets(connector: string): Promise<OffsetEntry[]> {
    const out: OffsetEntry[] = [];
    for (const { key, value } of this.data.values()) {
      const parsed = parseOffsetKey(key);
      if (parsed?.connector === connector)
        out.push({ partition: parsed.partition, offset: JSON.parse(value) as SourceOffset });
    }
    return out;
  }

  /** Applies one serialized record (as read from a file or topic). */
  protected apply(key: string, value: string | null): void {
    const parsed = parseOffsetKey(key);
    if (!parsed) return;
    const canonical = canonicalJson([parsed.connector, parsed.partition]);
    if (value === null) this.data.delete(canonical);
    else this.data.set(canonical, { key, value });
  }
}
