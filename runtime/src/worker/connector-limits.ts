// What a connector config may ask of this worker, checked twice: when it is
// created or updated (REST answers 400 and nothing is stored), and when a
// connector or task starts (a config stored earlier, before a limit was
// lowered, or with placeholders that resolve to something else, fails that
// connector and nothing else). Worker keys:
//   sluice.tasks.max.limit     the highest tasks.max a connector may set
//   sluice.file.allowed.paths  where FileStream connectors may read and write
// and connector.client.config.override.policy (client-override-policy.ts).
// Connector names are checked here too (they end up in paths, group ids,
// topic keys and log lines).
import path from 'node:path';
import { AllowedPaths } from '../config/allowed-paths.js';
import { hasPlaceholder } from '../config/config-providers.js';
import { DEFAULT_OVERRIDE_POLICY, type OverridePolicy } from '../config/client-override-policy.js';

export const TASKS_MAX_LIMIT_CONFIG = 'sluice.tasks.max.limit';
export const FILE_ALLOWED_PATHS_CONFIG = 'sluice.file.allowed.paths';
/** Enough for any FileStream or data generator use; a cluster that needs more raises it. */
export const DEFAULT_TASKS_MAX_LIMIT = 128;
/** The data volume of a Sluice worker pod (the operator mounts the PVC there). */
export const DEFAULT_FILE_ALLOWED_PATHS = ['/var/lib/sluice'];
/** Kubernetes object names are at most 253 characters: every Connector resource's name fits. */
export const MAX_CONNECTOR_NAME_LENGTH = 253;

export interface ConnectorLimits {
  readonly tasksMaxLimit: number;
  readonly fileAllowedPaths: AllowedPaths;
  /** connector.client.config.override.policy (client-override-policy.ts) */
  readonly overridePolicy: OverridePolicy;
}

/** For a Worker built without worker config (tests, embedding): the tasks.max ceiling, no file restriction. */
export const DEFAULT_LIMITS: ConnectorLimits = {
  tasksMaxLimit: DEFAULT_TASKS_MAX_LIMIT,
  fileAllowedPaths: AllowedPaths.unrestricted(),
  overridePolicy: DEFAULT_OVERRIDE_POLICY,
};

/** Connector classes that read or write the files their keys name. */
const FILE_KEYS: Readonly<Record<string, readonly string[]>> = {
  'org.apache.kafka.connect.file.FileStreamSourceConnector': ['file'],
  'org.apache.kafka.connect.file.FileStreamSinkConnector': ['file'],
};

/** Why a connector name is refused, or undefined. */
export function connectorNameError(name: string): string | undefined {
  if (name.trim() === '') return 'Connector name is required';
  if (name.length > MAX_CONNECTOR_NAME_LENGTH)
    return `Connector name is ${name.length} characters long, more than the limit of ${MAX_CONNECTOR_NAME_LENGTH}`;
  const controls = [...name].map((c) => c.codePointAt(0)!).filter(isIsoControl);
  if (controls.length > 0)
    return `Connector name may not contain control sequences but had the following ASCII chars: ${controls.join(', ')}`;
  if (name.includes('/')) return "connector name should not contain '/'";
  if (name === '.' || name === '..' || name.includes('..')) return "connector name should not contain '..'";
  return undefined;
}

/** Java's Character.isISOControl. */
const isIsoControl = (c: number) => c <= 0x1f || (c >= 0x7f && c <= 0x9f);

/**
 * A `key: message` error per limit the config breaks. `connectorClass` is the
 * resolved class name; `resolved` says the config's placeholders were
 * resolved (at start: one still there is checked as the path it would open).
 */
export function limitErrors(
  connectorClass: string,
  config: Readonly<Record<string, string>>,
  limits: ConnectorLimits,
  resolved = false,
): Array<{ key: string; message: string }> {
  const errors: Array<{ key: string; message: string }> = [];
  const tasksMax = Number((config['tasks.max'] ?? '1').trim());
  if (Number.isFinite(tasksMax) && tasksMax > limits.tasksMaxLimit)
    errors.push({
      key: 'tasks.max',
      message: `Invalid value ${tasksMax} for configuration tasks.max: Value must be at most ${limits.tasksMaxLimit} (the worker's ${TASKS_MAX_LIMIT_CONFIG})`,
    });
  if (!limits.fileAllowedPaths.restricted) return errors;
  for (const key of FILE_KEYS[connectorClass] ?? []) {
    const file = (config[key] ?? '').trim();
    if (file === '') continue; // stdin / stdout
    if (!resolved && hasPlaceholder(file)) continue; // checked once resolved, when the connector starts
    if (!path.isAbsolute(file) || !limits.fileAllowedPaths.allows(file))
      errors.push({
        key,
        message: `Invalid value ${file} for configuration ${key}: the path must be absolute and under the worker's ${FILE_ALLOWED_PATHS_CONFIG} (${limits.fileAllowedPaths.list.join(', ')})`,
      });
  }
  return errors;
}
