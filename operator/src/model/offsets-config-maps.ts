// The two ConfigMaps that carry source offsets: the hand-off one a mode or
// runtime switch keeps for the new workers (owned by the KafkaConnect), and
// the one `sluice.dev/offsets: list` writes for a person to read or edit
// (labelled for its connector, owned by nobody: it outlives the connector).
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import type { ConnectorOffsets } from '../connect/connect-client.js';
import { OFFSETS_FROM_ANNOTATION, commonLabels, connectorOffsetsLabels } from './labels.js';
import { names } from './names.js';
import { objectMeta } from './owner.js';

/** One key per connector, its offsets as JSON; `from` says where they came from (a mode, or standalone/<runtime>). */
export function handoffConfigMap(
  kc: KafkaConnect,
  offsets: ReadonlyMap<string, ConnectorOffsets>,
  from: string,
): V1ConfigMap {
  const name = kc.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(kc, names.offsetsHandoff(name), commonLabels(name), { [OFFSETS_FROM_ANNOTATION]: from }),
    data: Object.fromEntries([...offsets].map(([c, o]) => [c, JSON.stringify(o)])),
  };
}

/** A connector's offsets under key offsets.json, for `sluice.dev/offsets: alter` to read back. */
export function connectorOffsetsConfigMap(
  connector: string,
  namespace: string,
  cluster: string,
  offsets: ConnectorOffsets,
): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: names.connectorOffsets(connector),
      namespace,
      labels: connectorOffsetsLabels(connector, cluster),
    },
    data: { 'offsets.json': JSON.stringify(offsets, null, 2) },
  };
}
