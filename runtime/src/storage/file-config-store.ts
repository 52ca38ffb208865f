// A standalone worker's config store: a file beside the offset file, so
// connectors created over REST survive a restart (Apache's standalone mode
// loses them). A change is visible only once it is on disk: a failed write
// (StoreUnavailableError) leaves memory as the file is, so no connector is
// listed that a restart would not bring back.
import { MemoryConfigStore, type StoredConnector } from './config-store.js';
import { DurableFile, type DurableFileOptions } from './durable-file.js';

export class FileConfigStore extends MemoryConfigStore {
  private readonly durable: DurableFile;

  constructor(file: string, options?: DurableFileOptions) {
    super();
    this.durable = new DurableFile(file, options);
  }

  /** Writes the whole file with this change; throws StoreUnavailableError (nothing changed) when it cannot. */
  protected override async write(name: string, next: StoredConnector | undefined): Promise<void> {
    await this.durable.update(
      () => {
        const all = new Map(this.connectors);
        if (next) all.set(name, next);
        else all.delete(name);
        const doc: ConfigFile = { version: 1, connectors: Object.fromEntries(all) };
        return JSON.stringify(doc, null, 1);
      },
      () => super.write(name, next),
    );
  }

  override async start(): Promise<void> {
    const doc = parseConfigFile(this.durable.file, await this.durable.read());
    for (const [name, c] of Object.entries(doc.connectors)) this.connectors.set(name, c);
  }
}

interface ConfigFile {
  version: 1;
  connectors: Record<string, StoredConnector>;
}

function parseConfigFile(file: string, text: string | undefined): ConfigFile {
  if (text === undefined) return { version: 1, connectors: {} };
  const doc = JSON.parse(text) as ConfigFile;
  if (doc.version !== 1) throw new Error(`Config file ${file} has an unknown format`);
  return doc;
}
