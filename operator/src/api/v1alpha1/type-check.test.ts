import { expect } from 'chai';
import type { KafkaConnectSpec, ConnectorSpec } from './index.js';

describe('v1alpha1 types', () => {
  it('infers required and optional spec fields from the schema', () => {
    const spec: KafkaConnectSpec = {
      bootstrapServers: 'kafka:9092',
      mode: 'standalone',
      authentication: { type: 'plain', username: 'u' },
    };
    const c: ConnectorSpec = { clusterRef: { name: 'c' }, class: 'FileStreamSource', state: 'paused' };
    // @ts-expect-error bootstrapServers is required
    const missing: KafkaConnectSpec = { mode: 'distributed' };
    // @ts-expect-error mode is an enum
    const wrongMode: KafkaConnectSpec = { bootstrapServers: 'x', mode: 'cluster' };
    expect([spec.mode, c.state, missing, wrongMode]).to.have.length(4);
  });
});
