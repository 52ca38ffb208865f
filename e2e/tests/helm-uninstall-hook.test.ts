// The chart's pre-delete hook (helm/sluice/templates/uninstall-hook.yaml):
// `helm uninstall` stops the operator and takes the Connector finalizers off,
// so that deleting a namespace that still holds Connectors afterwards does
// not hang for ever (issue 11). Rendered, and for real: the chart installed
// on the node (the hook Job runs the operator image), a Connector given its
// finalizer by the running operator, uninstall, then the namespace deleted.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { helm, installOperator, render } from '../src/helm.js';
import { installCrds, kubeConfig, kubectl, namespaceGone, rest, sluicePath } from '../src/kube.js';
import { randomName } from '../src/names.js';
import { nodeEnv } from '../src/node.js';

const FINALIZER = 'sluice.dev/connector-cleanup';

describe('helm chart: the uninstall hook releases Connector finalizers @env', function () {
  this.timeout(600_000);
  const getEnv = withEnv();

  it('renders a pre-delete Job of the operator image with a Role to stop the operator only; off with uninstallHook.enabled=false', async () => {
    const objs = await render(getEnv(), { release: 'ops', namespace: 'sluice-system' });
    const hooks = objs.filter((o) => o.metadata.annotations?.['helm.sh/hook']);
    expect(hooks.map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal([
      'Role/ops-sluice-operator-uninstall',
      'RoleBinding/ops-sluice-operator-uninstall',
      'Job/ops-sluice-operator-uninstall',
    ]);
    for (const h of hooks) expect(h.metadata.annotations!['helm.sh/hook']).to.equal('pre-delete');
    const role = hooks[0]!;
    expect(role.metadata.namespace).to.equal('sluice-system');
    expect(role.rules).to.deep.equal([
      {
        apiGroups: ['apps'],
        resources: ['deployments/scale'],
        resourceNames: ['ops-sluice-operator'],
        verbs: ['patch'],
      },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ]);
    const job = hooks[2]!;
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).to.equal('ops-sluice-operator');
    expect(pod.containers[0].image).to.match(/sluice\/operator:/);
    expect(pod.containers[0].args).to.deep.equal(['release-finalizers']);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).to.equal(true);
    const off = await render(getEnv(), { values: { uninstallHook: { enabled: false } } });
    expect(off.filter((o) => o.metadata.annotations?.['helm.sh/hook'])).to.deep.equal([]);
  });

  it('with the operator running, deleting a watched namespace that holds Connectors completes (its Role goes first)', async () => {
    const env = nodeEnv(getEnv());
    const core = kubeConfig(env).makeApiClient(k8s.CoreV1Api);
    const api = rest(env);
    const release = randomName('nsdel');
    const system = `${release}-system`;
    const watched = randomName('nsdel-ns');
    await installCrds(env);
    await core.createNamespace({ body: { metadata: { name: watched } } });
    try {
      await installOperator(env, { release, namespace: system, watchNamespaces: [watched], createNamespace: true });
      for (const name of ['a', 'b'])
        await api.request({
          method: 'POST',
          path: sluicePath('connectors', watched),
          body: {
            apiVersion: 'sluice.dev/v1alpha1',
            kind: 'Connector',
            metadata: { name },
            spec: { clusterRef: { name: 'missing' }, class: 'DataGen', config: { topic: 't' } },
          },
        });
      await eventually('the operator to add its finalizers', async () =>
        ((await api.request<any>({ method: 'GET', path: sluicePath('connectors', watched) })).items as any[]).every(
          (c) => (c.metadata.finalizers ?? []).includes(FINALIZER),
        ),
      );
      // The namespace controller deletes the Role and RoleBinding before the Connectors; the
      // chart's connector-cleanup ClusterRole still lets the operator release the finalizers.
      await core.deleteNamespace({ name: watched });
      await namespaceGone(core, watched, { timeoutMs: 120_000 });
    } finally {
      for (const c of ['a', 'b'])
        await kubectl(
          env,
          'patch',
          'connector',
          c,
          '-n',
          watched,
          '--type=merge',
          '-p',
          '{"metadata":{"finalizers":null}}',
        ).catch(() => undefined);
      await helm(env, 'uninstall', release, '-n', system).catch(() => undefined);
      await core.deleteNamespace({ name: watched }).catch(() => undefined);
      await core.deleteNamespace({ name: system }).catch(() => undefined);
    }
  });

  it('after helm uninstall no Connector keeps its finalizer, and deleting their namespace completes', async () => {
    const env = nodeEnv(getEnv());
    const core = kubeConfig(env).makeApiClient(k8s.CoreV1Api);
    const api = rest(env);
    const release = randomName('hook');
    const system = `${release}-system`;
    const watched = randomName('hook-ns');
    await installCrds(env);
    await core.createNamespace({ body: { metadata: { name: watched } } });
    try {
      await installOperator(env, { release, namespace: system, watchNamespaces: [watched], createNamespace: true });
      // No KafkaConnect behind them: the operator adds the finalizer and waits for the cluster.
      for (const name of ['a', 'b'])
        await api.request({
          method: 'POST',
          path: sluicePath('connectors', watched),
          body: {
            apiVersion: 'sluice.dev/v1alpha1',
            kind: 'Connector',
            metadata: { name },
            spec: { clusterRef: { name: 'missing' }, class: 'DataGen', config: { topic: 't' } },
          },
        });
      const finalizers = async () =>
        ((await api.request<any>({ method: 'GET', path: sluicePath('connectors', watched) })).items as any[]).map(
          (c) => c.metadata.finalizers ?? [],
        );
      await eventually('the operator to add its finalizers', async () =>
        (await finalizers()).every((f) => f.includes(FINALIZER)),
      );

      await helm(env, 'uninstall', release, '-n', system, '--wait', '--timeout', '5m');
      expect(await finalizers()).to.deep.equal([[], []]);
      expect(await kubectl(env, 'get', 'deployments,jobs,roles', '-n', system, '-o', 'name')).to.equal('');

      await core.deleteNamespace({ name: watched });
      await namespaceGone(core, watched, { timeoutMs: 120_000 });
    } finally {
      await helm(env, 'uninstall', release, '-n', system, '--no-hooks').catch(() => undefined);
      for (const c of ['a', 'b'])
        await kubectl(
          env,
          'patch',
          'connector',
          c,
          '-n',
          watched,
          '--type=merge',
          '-p',
          '{"metadata":{"finalizers":null}}',
        ).catch(() => undefined);
      await core.deleteNamespace({ name: watched }).catch(() => undefined);
      await core.deleteNamespace({ name: system }).catch(() => undefined);
    }
  });
});
