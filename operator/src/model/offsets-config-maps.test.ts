import { expect } from 'chai';
import { API_VERSION, type KafkaConnect } from '../api/v1alpha1/index.js';
import { connectorOffsetsConfigMap, handoffConfigMap } from './offsets-config-maps.js';

const kc: KafkaConnect = {
  apiVersion: API_VERSION,
  kind: 'KafkaConnect',
  metadata: { name: 'demo', namespace: 'apps', uid: 'uid-1' },
  spec: { bootstrapServers: 'kafka:9092' },
};
const offsets = { offsets: [{ partition: { filename: '/in.txt' }, offset: { position: 42 } }] };

describe('offsets ConfigMaps', () => {
  it('keeps each connector of a switch under its own key, owned by the KafkaConnect and marked with its origin', () => {
    const cm = handoffConfigMap(kc, new Map([['src', offsets]]), 'standalone');
    expect(cm.metadata?.name).to.equal('demo-connect-offsets-handoff');
    expect(cm.metadata?.namespace).to.equal('apps');
    expect(cm.metadata?.annotations).to.deep.equal({ 'sluice.dev/offsets-from-mode': 'standalone' });
    expect(cm.metadata?.ownerReferences?.[0]).to.include({ kind: 'KafkaConnect', uid: 'uid-1', controller: true });
    expect(cm.metadata?.labels).to.include({ 'sluice.dev/cluster': 'demo' });
    expect(JSON.parse(cm.data?.['src'] ?? '')).to.deep.equal(offsets);
  });

  it('writes a listed connector its own unowned ConfigMap, labelled for the connector, as indented JSON', () => {
    const cm = connectorOffsetsConfigMap('src', 'apps', 'demo', offsets);
    expect(cm.metadata).to.deep.equal({
      name: 'src-offsets',
      namespace: 'apps',
      labels: { 'sluice.dev/connector': 'src', 'sluice.dev/cluster': 'demo' },
    });
    expect(cm.data).to.deep.equal({ 'offsets.json': JSON.stringify(offsets, null, 2) });
  });
});
