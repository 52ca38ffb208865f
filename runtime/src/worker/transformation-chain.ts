// Builds the configured transforms (with their predicates) of a connector
// and applies them in order, as Kafka's TransformationChain does.
import { ConfigError, type ConnectRecord, type Predicate, type Transformation } from '../sdk/index.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { withPrefix } from '../config/worker-config.js';

interface Stage {
  readonly alias: string;
  readonly transform: Transformation;
  readonly predicate?: Predicate;
  readonly negate: boolean;
}

export class TransformationChain {
  constructor(private readonly stages: readonly Stage[]) {}

  static empty(): TransformationChain {
    return new TransformationChain([]);
  }

  get size(): number {
    return this.stages.length;
  }

  /** Applies each stage whose predicate matches; null means a stage dropped the record. */
  apply<R extends ConnectRecord>(record: R): R | null {
    let current: R | null = record;
    for (const stage of this.stages) {
      if (current === null) return null;
      if (stage.predicate && stage.predicate.test(current) === stage.negate) continue;
      current = stage.transform.apply(current) as R | null;
    }
    return current;
  }

  close(): void {
    for (const s of this.stages) {
      s.transform.close?.();
      s.predicate?.close?.();
    }
  }
}

/** Instantiates and configures `transforms` and `predicates` from a connector config. */
export function buildTransformationChain(config: Record<string, string>, plugins: PluginRegistry): TransformationChain {
  const aliases = listOf(config['transforms']);
  const predicateAliases = new Set(listOf(config['predicates']));
  const predicates = new Map<string, Predicate>();
  const stages: Stage[] = [];
  for (const alias of aliases) {
    const prefix = `transforms.${alias}.`;
    const type = config[`${prefix}type`];
    if (!type) throw new ConfigError(`${prefix}type`, `Missing required configuration "${prefix}type"`);
    const transform = new (plugins.resolve(type, ['transformation'], `${prefix}type`).create)();
    const own = withPrefix(config, prefix);
    transform.configure(own);
    const predicateAlias = own['predicate'];
    let predicate: Predicate | undefined;
    if (predicateAlias) {
      if (!predicateAliases.has(predicateAlias)) {
        throw new ConfigError(`${prefix}predicate`, `Predicate '${predicateAlias}' is not listed in 'predicates'`);
      }
      predicate = predicates.get(predicateAlias) ?? buildPredicate(config, predicateAlias, plugins);
      predicates.set(predicateAlias, predicate);
    }
    stages.push({ alias, transform, predicate, negate: own['negate'] === 'true' });
  }
  return new TransformationChain(stages);
}

function buildPredicate(config: Record<string, string>, alias: string, plugins: PluginRegistry): Predicate {
  const prefix = `predicates.${alias}.`;
  const type = config[`${prefix}type`];
  if (!type) throw new ConfigError(`${prefix}type`, `Missing required configuration "${prefix}type"`);
  const predicate = new (plugins.resolve(type, ['predicate'], `${prefix}type`).create)();
  predicate.configure(withPrefix(config, prefix));
  return predicate;
}

export function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
