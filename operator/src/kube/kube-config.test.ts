import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadKubeConfig } from './kube-config.js';

const config = (name: string, server: string) => `apiVersion: v1
kind: Config
clusters: [{name: ${name}, cluster: {server: "${server}"}}]
users: [{name: ${name}, user: {token: t}}]
contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}}}]
current-context: ${name}
`;

describe('kube/kube-config', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubeconfig-'));
  const a = path.join(dir, 'a.yaml');
  const b = path.join(dir, 'b.yaml');
  writeFileSync(a, config('a', 'https://a.example:6443'));
  writeFileSync(b, config('b', 'https://b.example:6443'));

  it('prefers an explicit path over $KUBECONFIG', () => {
    const { kubeConfig, source } = loadKubeConfig({ path: b, env: { KUBECONFIG: a } });
    expect(source).to.equal('path');
    expect(kubeConfig.getCurrentCluster()?.server).to.equal('https://b.example:6443');
  });

  it('reads $KUBECONFIG, merging a path list with the first file’s context winning', () => {
    const { kubeConfig, source } = loadKubeConfig({ env: { KUBECONFIG: [a, b].join(path.delimiter) } });
    expect(source).to.equal('env');
    expect(kubeConfig.getCurrentContext()).to.equal('a');
    expect(kubeConfig.getContexts().map((c) => c.name)).to.have.members(['a', 'b']);
  });

  it('uses the service account in a pod', () => {
    // client-node's loadFromCluster reads process.env itself.
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    Object.assign(process.env, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
    try {
      const { source, kubeConfig } = loadKubeConfig({
        env: { ...process.env, KUBECONFIG: '' },
        tokenExists: () => true,
      });
      expect(source).to.equal('in-cluster');
      expect(kubeConfig.getCurrentCluster()?.server).to.equal('https://10.0.0.1:443');
    } finally {
      for (const [k, v] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
