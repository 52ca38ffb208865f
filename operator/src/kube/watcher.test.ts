import { expect } from 'chai';
import { slimObject } from './watcher.js';

describe('kube/watcher slimObject', () => {
  const obj = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: 'a',
      namespace: 'ns',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' },
      managedFields: [
        {
          manager: 'sluice-operator',
          operation: 'Apply',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': {} },
        },
      ],
    },
    spec: { replicas: 2 },
  };

  it('drops the field sets of managedFields and the last-applied annotation, keeping the rest', () => {
    const slim = slimObject(obj);
    expect(slim.metadata.managedFields).to.deep.equal([
      { manager: 'sluice-operator', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' },
    ]);
    expect(slim.metadata.annotations).to.deep.equal({ keep: 'me' });
    expect(slim.spec).to.deep.equal({ replicas: 2 });
    expect(slim.metadata.name).to.equal('a');
  });

  it('leaves the object it was given untouched', () => {
    slimObject(obj);
    expect(obj.metadata.managedFields[0]!.fieldsV1).to.deep.equal({ 'f:spec': {} });
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).to.equal('{"big":true}');
  });
});
