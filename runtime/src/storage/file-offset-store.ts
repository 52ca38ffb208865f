// Standalone offsets in a file on the worker's volume. Format (documented in
// docs/runtime.md): {"version":1,"offsets":{"<key JSON>":"<value JSON>"}},
// i.e. exactly the key/value bytes Kafka Connect writes to its offset topic,
// so a mode switch can copy them to the topic unchanged.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { MemoryOffsetStore, type OffsetEntry } from './offset-store.js';
import { readFileIfExists, writeFileAtomic } from '../util/atomic-file.js';

interface OffsetFile {
  version: 1;
  offsets: Record<string, string>;
}

export class FileOffsetStore extends MemoryOffsetStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {
    super();
  }

  override async start(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const text = await readFileIfExists(this.file);
    if (text === undefined) return;
    let parsed: OffsetFile;
    try {
      parsed = JSON.parse(text) as OffsetFile;
    } catch (err) {
      throw new Error(`Offset file ${this.file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (parsed.version !== 1 || typeof parsed.offsets !== 'object') {
      throw new Error(`Offset file ${this.file} has an unknown format (expected {"version":1,"offsets":{...}})`);
    }
    for (const [key, value] of Object.entries(parsed.offsets)) this.apply(key, value);
  }

  override async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    await super.set(connector, entries);
    await this.persist();
  }

  /** Every serialized key and value (for copying offsets to a topic on a mode switch). */
  entries(): Array<[string, string]> {
    return [...this.data.values()].map(({ key, value }) => [key, value]);
  }

  private persist(): Promise<void> {
    // Writes are chained so two flushes never interleave; each writes the whole map.
    this.writing = this.writing.then(() => {
      const doc: OffsetFile = { version: 1, offsets: Object.fromEntries(this.entries()) };
      return writeFileAtomic(this.file, JSON.stringify(doc));
    });
    return this.writing;
  }
}
