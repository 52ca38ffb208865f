import { expect } from 'chai';
import { API_VERSION, type KafkaConnect } from '../api/v1alpha1/index.js';
import { desired } from './desired.js';
import { DEFAULT_WORKER_RESOURCES, heapEnv, quantityBytes } from './worker-resources.js';

const settings = { defaultImage: 'img', operatorPodLabels: { app: 'op' }, operatorNamespace: 'sys' };
const cluster = (spec: Partial<KafkaConnect['spec']> = {}): KafkaConnect => ({
  apiVersion: API_VERSION,
  kind: 'KafkaConnect',
  metadata: { name: 'demo', namespace: 'apps', uid: 'u' },
  spec: { bootstrapServers: 'kafka:9092', ...spec },
});
const container = (kc: KafkaConnect) =>
  (desired(kc, settings).objects.find((o) => o.kind === 'StatefulSet') as any).spec.template.spec.containers[0];

describe('worker resources and heap', () => {
  it('gives a worker without spec.resources default requests and limits, and a heap of 3/4 of the limit', () => {
    const c = container(cluster());
    expect(c.resources).to.deep.equal(DEFAULT_WORKER_RESOURCES);
    expect(c.resources.requests.memory).to.be.a('string');
    expect(c.resources.limits.memory).to.equal('1Gi');
    expect(c.env).to.deep.include({ name: 'NODE_OPTIONS', value: '--max-old-space-size=768' });
  });

  it('takes spec.resources as written and sizes the heap from its memory limit', () => {
    const resources = { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } };
    const c = container(cluster({ resources }));
    expect(c.resources).to.deep.equal(resources);
    expect(c.env).to.deep.include({ name: 'NODE_OPTIONS', value: '--max-old-space-size=3072' });
  });

  it('sets no heap without a memory limit, and leaves a user NODE_OPTIONS alone', () => {
    expect(heapEnv({ requests: { memory: '1Gi' } }, [])).to.deep.equal([]);
    expect(heapEnv({ limits: { memory: '1Gi' } }, [{ name: 'NODE_OPTIONS', value: '--x' }])).to.deep.equal([]);
    const c = container(cluster({ template: { env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=100' }] } }));
    expect(c.env.filter((e: any) => e.name === 'NODE_OPTIONS')).to.deep.equal([
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=100' },
    ]);
  });

  it('reads Kubernetes memory quantities', () => {
    expect(quantityBytes('1Gi')).to.equal(2 ** 30);
    expect(quantityBytes('512Mi')).to.equal(512 * 2 ** 20);
    expect(quantityBytes('1G')).to.equal(1e9);
    expect(quantityBytes('1e9')).to.equal(1e9);
    expect(quantityBytes('1073741824')).to.equal(2 ** 30);
    expect(quantityBytes('1.5Gi')).to.equal(1.5 * 2 ** 30);
    expect(quantityBytes('lots')).to.equal(undefined);
    expect(quantityBytes('0')).to.equal(undefined);
  });
});
