// KIP-821 field paths: `field.syntax.version=V1` names a top-level field as
// is; V2 reads dots as nesting, with backticks around names that contain dots.
import { ConfigDef, ConfigError, Validators, fieldOf, type Field, type Schema } from '../sdk/index.js';
import { mapGet, requireMapOrNull, requireStructOrNull, type MapValue, type StructValue } from './requirements.js';
import { structGet } from './schema-util.js';

export const FIELD_SYNTAX_VERSION_CONFIG = 'field.syntax.version';

export function defineFieldSyntaxVersion(def: ConfigDef): ConfigDef {
  return def.define({
    name: FIELD_SYNTAX_VERSION_CONFIG,
    type: 'STRING',
    defaultValue: 'V1',
    validator: Validators.oneOf('V1', 'V2'),
    importance: 'HIGH',
    documentation:
      'Defines the version of the syntax to access fields. V1 only reaches fields at the root of the struct or map; ' +
      'V2 reads dots as nesting, with backtick pairs around field names that contain dots.',
  });
}

export class SingleFieldPath {
  readonly steps: readonly string[];

  constructor(
    readonly text: string,
    version: string,
  ) {
    this.steps = version.toUpperCase() === 'V2' ? parseV2(text) : [text];
  }

  fieldFrom(schema: Schema | null): Field | undefined {
    let current = schema;
    let field: Field | undefined;
    for (const step of this.steps) {
      if (!current || current.type !== 'struct') return undefined;
      field = fieldOf(current, step);
      if (!field) return undefined;
      current = field.schema;
    }
    return field;
  }

  valueFromStruct(struct: StructValue | null, schema: Schema): unknown {
    let current = struct;
    let currentSchema = schema;
    for (const [i, step] of this.steps.entries()) {
      if (current == null) return null;
      const field = fieldOf(currentSchema, step);
      if (!field) return null;
      const value = structGet(current, field);
      if (i === this.steps.length - 1) return value;
      current = requireStructOrNull(value, 'nested field access');
      currentSchema = field.schema;
    }
    return null;
  }

  valueFromMap(map: MapValue | null): unknown {
    let current = map;
    for (const [i, step] of this.steps.entries()) {
      if (current == null) return null;
      const value = mapGet(current, step);
      if (i === this.steps.length - 1) return value ?? null;
      current = requireMapOrNull(value, 'nested field access');
    }
    return null;
  }
}

function parseV2(path: string): string[] {
  const steps: string[] = [];
  let idx = 0;
  const incomplete = (at: number): never => {
    throw new ConfigError(
      undefined,
      `Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`,
    );
  };
  while (idx < path.length) {
    if (path.charAt(idx) !== '`') {
      const dot = path.indexOf('.', idx);
      steps.push(path.slice(idx, dot < 0 ? undefined : dot));
      idx = dot < 0 ? path.length : dot + 1;
      continue;
    }
    const backtickAt = idx;
    let start = ++idx;
    let field = '';
    for (;;) {
      idx = path.indexOf('`', idx);
      if (idx < 0) incomplete(backtickAt);
      const escaped = path.charAt(idx - 1) === '\\';
      if (idx >= path.length - 1) {
        if (escaped) incomplete(backtickAt);
        steps.push(field + path.slice(start, idx));
        idx++;
        break;
      }
      if (path.charAt(idx + 1) !== '.') {
        idx++;
        continue;
      }
      if (escaped) {
        field += path.slice(start, idx - 1) + '`';
        start = ++idx;
        continue;
      }
      steps.push(field + path.slice(start, idx));
      idx += 2;
      break;
    }
  }
  if (path.endsWith('.')) steps.push('');
  return steps;
}
