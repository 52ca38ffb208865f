// Standalone offsets in a file on the worker's volume. Format (documented in
// docs/runtime.md): {"version":1,"offsets":{"<key JSON>":"<value JSON>"}},
// i.e. exactly the key/value bytes Kafka Connect writes to its offset topic,
// so a mode switch can copy them to the topic unchanged. New offsets are
// served only once they are on disk: a failed write (read-only or full
// volume) changes nothing and is retried by the next commit.
import { MemoryOffsetStore, offsetKey, type OffsetEntry } from './offset-store.js';
import { DurableFile, type DurableFileOptions } from './durable-file.js';
import { canonicalJson } from '../util/json.js';

interface OffsetFile {
  version: 1;
  offsets: Record<string, string>;
}

export class FileOffsetStore extends MemoryOffsetStore {
  private readonly durable: DurableFile;

  constructor(file: string, options?: DurableFileOptions) {
    super();
    this.durable = new DurableFile(file, options);
  }

  override async start(): Promise<void> {
    const text = await this.durable.read();
    if (text === undefined) return;
    let parsed: OffsetFile;
    try {
      parsed = JSON.parse(text) as OffsetFile;
    } catch (err) {
      throw new Error(`Offset file ${this.durable.file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (parsed.version !== 1 || typeof parsed.offsets !== 'object') {
      throw new Error(
        `Offset file ${this.durable.file} has an unknown format (expected {"version":1,"offsets":{...}})`,
      );
    }
    for (const [key, value] of Object.entries(parsed.offsets)) this.apply(key, value);
  }

  /** Writes the whole map with these entries; they are served from memory only once the file has them. */
  override async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    const changes = entries.map((e) => ({
      key: offsetKey(connector, e.partition),
      canonical: canonicalJson([connector, e.partition]),
      value: e.offset === null ? null : JSON.stringify(e.offset),
    }));
    await this.durable.update(
      () => {
        const next = new Map(this.data);
        for (const c of changes) {
          if (c.value === null) next.delete(c.canonical);
          else next.set(c.canonical, { key: c.key, value: c.value });
        }
        const doc: OffsetFile = {
          version: 1,
          offsets: Object.fromEntries([...next.values()].map((e) => [e.key, e.value])),
        };
        return JSON.stringify(doc);
      },
      () => {
        for (const c of changes) this.apply(c.key, c.value);
      },
    );
  }

  /** Every serialized key and value (for copying offsets to a topic on a mode switch). */
  entries(): Array<[string, string]> {
    return [...this.data.values()].map(({ key, value }) => [key, value]);
  }
}
