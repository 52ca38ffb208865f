// Mode switches keep source offsets. Standalone keeps them in a file on its
// volume, distributed in the offset topic, so neither mode can read the
// other's. Before the old workload goes, the operator stops each source
// connector there (its tasks commit their last offsets), reads the offsets
// over REST and keeps them in a ConfigMap owned by the KafkaConnect; on the
// new workload, each connector is created (or found) STOPPED, gets those
// offsets (KIP-875's PATCH /offsets) and only then runs. Sink offsets live in
// the consumer group in Kafka and need no hand-off.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { withConnectRetry, type ConnectApi, type ConnectorOffsets } from '../connect/connect-client.js';
import type { Applier } from '../kube/index.js';
import { handoffConfigMap } from '../model/offsets-config-maps.js';

/** A ConfigMap key must be a DNS-ish token; other connector names cannot be carried. */
const KEY = /^[-._a-zA-Z0-9]+$/;
const STOP_TIMEOUT_MS = 30_000;

/** Stops a connector and waits until it runs no task, so its offsets are final. */
export async function stopAndWait(client: ConnectApi, name: string, sleep = defaultSleep): Promise<void> {
  await withConnectRetry(() => client.stop(name));
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  for (;;) {
    const status = await withConnectRetry(() => client.connectorStatus(name));
    if (!status || (status.connector.state === 'STOPPED' && status.tasks.length === 0)) return;
    if (Date.now() > deadline) throw new Error(`connector ${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
    await sleep(250);
  }
}

/** Stops every source connector of the old workload and reads its offsets. */
export async function captureSourceOffsets(
  client: ConnectApi,
): Promise<{ offsets: Map<string, ConnectorOffsets>; skipped: string[] }> {
  const offsets = new Map<string, ConnectorOffsets>();
  const skipped: string[] = [];
  for (const name of await withConnectRetry(() => client.connectors())) {
    const status = await withConnectRetry(() => client.connectorStatus(name));
    if (status?.type !== 'source') continue;
    if (!KEY.test(name)) {
      skipped.push(name);
      continue;
    }
    try {
      await stopAndWait(client, name);
    } catch {
      // A task whose worker died never reports that it stopped: take the offsets as they are.
    }
    offsets.set(name, await withConnectRetry(() => client.offsets(name)));
  }
  return { offsets, skipped };
}

/**
 * Stops the old workers' source connectors and keeps their offsets in the
 * hand-off ConfigMap, marked with where they came from; returns how many were
 * kept and a note naming those that could not be.
 */
export async function keepSourceOffsets(
  applier: Pick<Applier, 'apply'>,
  kc: KafkaConnect,
  client: ConnectApi,
  from: string,
): Promise<{ kept: number; note: string }> {
  const { offsets, skipped } = await captureSourceOffsets(client);
  await applier.apply(handoffConfigMap(kc, offsets, from));
  const note = skipped.length ? `; not carried (name not usable as a ConfigMap key): ${skipped.join(', ')}` : '';
  return { kept: offsets.size, note };
}

/** The offsets kept for one connector, if any. */
export function handedOffOffsets(cm: V1ConfigMap | undefined, connector: string): ConnectorOffsets | undefined {
  const raw = cm?.data?.[connector];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as ConnectorOffsets;
  } catch {
    return undefined;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
