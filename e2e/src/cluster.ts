// Helpers for the end-to-end suite: Sluice installed with its Helm chart,
// KafkaConnect and Connector resources applied as a user would, and what
// moved through Kafka checked from outside the cluster.
import * as k8s from '@kubernetes/client-node';
import type { Kafka } from 'kafkajs';
import type { RestClient } from '../../operator/src/kube/rest.js';
import { eventually } from './eventually.js';
import { readTopic } from './kafka.js';
import { kubectl, sluicePath, SLUICE_API_VERSION } from './kube.js';
import type { TestEnv } from './env.js';

export type Plural = 'kafkaconnects' | 'connectors';

export class SluiceResources {
  constructor(
    private readonly api: RestClient,
    readonly namespace: string,
  ) {}

  create(plural: Plural, name: string, spec: Record<string, unknown>): Promise<unknown> {
    return this.api.request({
      method: 'POST',
      path: sluicePath(plural, this.namespace),
      body: {
        apiVersion: SLUICE_API_VERSION,
        kind: plural === 'kafkaconnects' ? 'KafkaConnect' : 'Connector',
        metadata: { name },
        spec,
      },
    });
  }

  get(plural: Plural, name: string): Promise<any> {
    return this.api.request<any>({ method: 'GET', path: sluicePath(plural, this.namespace, name) });
  }

  patch(plural: Plural, name: string, spec: Record<string, unknown>): Promise<unknown> {
    return this.api.request({
      method: 'PATCH',
      path: sluicePath(plural, this.namespace, name),
      body: { spec },
      contentType: 'application/merge-patch+json',
    });
  }

  delete(plural: Plural, name: string): Promise<unknown> {
    return this.api.request({ method: 'DELETE', path: sluicePath(plural, this.namespace, name) });
  }

  /** Waits until the resource passes `check`; returns it. */
  waitFor(plural: Plural, name: string, what: string, check: (r: any) => boolean, timeoutMs = 180_000) {
    return eventually(
      `${plural}/${name}: ${what}`,
      async () => {
        const r = await this.get(plural, name).catch(() => undefined);
        return r && check(r) ? r : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );
  }

  waitReady(plural: Plural, name: string, timeoutMs = 180_000) {
    return this.waitFor(plural, name, 'Ready', (r) => ready(r), timeoutMs);
  }
}

export const ready = (r: any): boolean =>
  r?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';

/** DataGen records with key.type=sequence: which ids 0..expected-1 are missing, how many duplicates. */
export async function sequenceCheck(kafka: Kafka, topic: string, expected: number, timeoutMs = 180_000) {
  const first = await readTopic(kafka, topic, expected, timeoutMs);
  // Read again (briefly) past `expected` so that duplicates are counted too.
  const all = first.length >= expected ? await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 5_000) : first;
  const ids = new Set(all.map((r) => Number(r.key)));
  const missing: number[] = [];
  for (let i = 0; i < expected; i++) if (!ids.has(i)) missing.push(i);
  return { total: all.length, missing, duplicates: all.length - ids.size };
}

/** How many records a topic holds now (sum of partition end offsets). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Ready pods of a cluster (label sluice.dev/cluster). */
export async function workerPods(core: k8s.CoreV1Api, namespace: string, cluster: string): Promise<k8s.V1Pod[]> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `sluice.dev/cluster=${cluster}` });
  return pods.items.filter(
    (p) =>
      !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

/** What to look at when a test failed: operator and worker logs, events, pods. */
export async function diagnostics(env: TestEnv, namespaces: string[], operatorNamespace: string): Promise<string> {
  const parts: string[] = [];
  const safe = async (title: string, ...args: string[]) => {
    try {
      parts.push(`---- ${title}\n${await kubectl(env, ...args)}`);
    } catch (err) {
      parts.push(`---- ${title}: ${(err as Error).message}`);
    }
  };
  await safe(
    'operator log',
    '-n',
    operatorNamespace,
    'logs',
    '-l',
    'app.kubernetes.io/name=sluice-operator',
    '--tail=200',
  );
  for (const ns of namespaces) {
    await safe(
      `${ns}: resources`,
      '-n',
      ns,
      'get',
      'kafkaconnects,connectors,statefulsets,deployments,pods,pvc',
      '-o',
      'wide',
    );
    await safe(`${ns}: events`, '-n', ns, 'get', 'events', '--sort-by=.lastTimestamp');
    await safe(`${ns}: pods`, '-n', ns, 'describe', 'pods');
    await safe(`${ns}: worker logs`, '-n', ns, 'logs', '-l', 'sluice.dev/component=worker', '--tail=100', '--prefix');
  }
  return parts.join('\n');
}
