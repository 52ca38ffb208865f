import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Controller, labelKeys, objectKey, ownerKeys, splitKey, type ReconcileResult } from './controller.js';
import type { Informer, WatchEventType, WatchHandler } from './watcher.js';
import { FakeClock, flush } from './fake-clock.test-support.js';
import { OperatorMetrics } from './metrics.js';

/** An in-memory Informer the test drives by hand. */
class FakeInformer implements Informer {
  readonly objects = new Map<string, KubernetesObject>();
  private readonly handlers = new Set<WatchHandler<KubernetesObject>>();
  started = false;
  start(): void {
    this.started = true;
  }
  hasSynced(): boolean {
    return this.started;
  }
  async waitForSync(): Promise<boolean> {
    return true;
  }
  get(namespace: string | undefined, name: string): KubernetesObject | undefined {
    return this.objects.get(`${namespace ?? ''}/${name}`);
  }
  list(): KubernetesObject[] {
    return [...this.objects.values()];
  }
  onEvent(handler: WatchHandler<KubernetesObject>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
  emit(type: WatchEventType, obj: KubernetesObject, old?: KubernetesObject): void {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    if (type === 'delete') this.objects.delete(key);
    else this.objects.set(key, obj);
    for (const h of this.handlers) h(type, obj, old);
  }
  handlerCount(): number {
    return this.handlers.size;
  }
}

const obj = (namespace: string, name: string, extra: Partial<NonNullable<KubernetesObject['metadata']>> = {}) => ({
  metadata: { namespace, name, ...extra },
});

describe('kube/controller', () => {
  describe('key mapping', () => {
    it('builds and splits namespace/name keys', () => {
      expect(objectKey(obj('ns', 'a'))).to.equal('ns/a');
      expect(objectKey({ metadata: { name: 'cluster-wide' } })).to.equal('cluster-wide');
      expect(splitKey('ns/a')).to.deep.equal({ namespace: 'ns', name: 'a' });
      expect(splitKey('x')).to.deep.equal({ namespace: undefined, name: 'x' });
    });

    it('maps owned objects to owners of the given kind (and group)', () => {
      const owned = obj('ns', 'cfg', {
        ownerReferences: [
          { apiVersion: 'sluice.dev/v1alpha1', kind: 'Widget', name: 'w1', uid: '1' },
          { apiVersion: 'other.dev/v1', kind: 'Widget', name: 'w2', uid: '2' },
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: '3' },
        ],
      });
      expect(ownerKeys('Widget')(owned)).to.deep.equal(['ns/w1', 'ns/w2']);
      expect(ownerKeys('Widget', 'sluice.dev/v1beta1')(owned)).to.deep.equal(['ns/w1']);
      expect(ownerKeys('Widget')(obj('ns', 'orphan'))).to.deep.equal([]);
    });

    it('maps labelled objects to the primary named by the label', () => {
      const map = labelKeys('sluice.dev/cluster');
      expect(map(obj('ns', 'pod-1', { labels: { 'sluice.dev/cluster': 'c1' } }))).to.deep.equal(['ns/c1']);
      expect(map(obj('ns', 'pod-2'))).to.deep.equal([]);
    });
  });

  describe('loop', () => {
    let clock: FakeClock;
    let primary: FakeInformer;
    let secondary: FakeInformer;
    let reconciled: string[];
    let behaviour: (key: string) => Promise<ReconcileResult>;
    let controller: Controller;
    let metrics: OperatorMetrics;

    beforeEach(() => {
      clock = new FakeClock();
      primary = new FakeInformer();
      secondary = new FakeInformer();
      reconciled = [];
      behaviour = async () => undefined;
      metrics = new OperatorMetrics({ defaultMetrics: false });
      controller = new Controller({
        kind: 'Widget',
        primary,
        secondaries: [{ informer: secondary, map: ownerKeys('Widget') }],
        reconcile: (key) => {
          reconciled.push(key);
          return behaviour(key);
        },
        workers: 2,
        resyncPeriodMs: 60_000,
        clock,
        metrics,
      });
    });

    afterEach(() => controller.stop());

    it('reconciles existing primaries on start and new ones on events', async () => {
      primary.objects.set('ns/a', obj('ns', 'a'));
      expect(await controller.start()).to.equal(true);
      expect(primary.started && secondary.started).to.equal(true);
      await flush();
      expect(reconciled).to.deep.equal(['ns/a']);
      primary.emit('add', obj('ns', 'b'));
      primary.emit('delete', obj('ns', 'a'));
      await flush();
      expect(reconciled).to.deep.equal(['ns/a', 'ns/b', 'ns/a']);
    });

    it('maps secondary events (new and old object) back to the owner key', async () => {
      await controller.start();
      const owned = (owner: string) =>
        obj('ns', 'cfg', { ownerReferences: [{ apiVersion: 'x/v1', kind: 'Widget', name: owner, uid: owner }] });
      secondary.emit('add', owned('w1'));
      await flush();
      secondary.emit('update', owned('w2'), owned('w1'));
      await flush();
      // The update reaches both the new owner and the one it moved away from.
      expect(reconciled).to.deep.equal(['ns/w1', 'ns/w2', 'ns/w1']);
      secondary.emit('add', obj('ns', 'unowned'));
      await flush();
      expect(reconciled).to.have.length(3);
    });

    it('retries failures with growing backoff, and forgets after a success', async () => {
      let failures = 2;
      behaviour = async () => {
        if (failures-- > 0) throw new Error('boom');
      };
      await controller.start();
      primary.emit('add', obj('ns', 'a'));
      await flush();
      expect(reconciled).to.have.length(1);
      clock.advance(5); // first retry after 5 ms
      await flush();
      expect(reconciled).to.have.length(2);
      clock.advance(9); // second after 10 ms
      await flush();
      expect(reconciled).to.have.length(2);
      clock.advance(1);
      await flush();
      expect(reconciled).to.have.length(3);
      const errors = await metrics.reconcileErrors.get();
      expect(errors.values[0]?.value).to.equal(2);
      const retries = await metrics.workqueueRetries.get();
      expect(retries.values[0]?.value).to.equal(2);
    });

    it('requeues after requeueAfter on success', async () => {
      behaviour = async () => ({ requeueAfter: 30_000 });
      await controller.start();
      primary.emit('add', obj('ns', 'a'));
      await flush();
      clock.advance(29_999);
      await flush();
      expect(reconciled).to.have.length(1);
      clock.advance(1);
      await flush();
      expect(reconciled).to.have.length(2);
    });

    it('never reconciles one key concurrently, and re-runs it after a change mid-reconcile', async () => {
      let release!: () => void;
      let running = 0;
      let maxRunning = 0;
      behaviour = async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((r) => (release = r));
        running--;
      };
      await controller.start();
      primary.emit('add', obj('ns', 'a'));
      await flush();
      primary.emit('update', obj('ns', 'a'));
      primary.emit('update', obj('ns', 'a'));
      await flush();
      expect(reconciled).to.have.length(1);
      release();
      await flush();
      expect(reconciled).to.have.length(2);
      release();
      await flush();
      expect(maxRunning).to.equal(1);
    });

    it('resyncs all primaries periodically', async () => {
      primary.objects.set('ns/a', obj('ns', 'a'));
      primary.objects.set('ns/b', obj('ns', 'b'));
      await controller.start();
      await flush();
      expect(reconciled).to.have.length(2);
      clock.advance(60_000);
      await flush();
      expect(reconciled).to.have.length(4);
    });

    it('stops gracefully: waits for in-flight reconciles, then takes no more work', async () => {
      let release!: () => void;
      let finished = false;
      behaviour = async () => {
        await new Promise<void>((r) => (release = r));
        finished = true;
      };
      await controller.start();
      primary.emit('add', obj('ns', 'a'));
      await flush();
      let stopped = false;
      const stopping = controller.stop().then(() => (stopped = true));
      await flush();
      expect(stopped).to.equal(false, 'stop waits for the reconcile in flight');
      release();
      await stopping;
      expect(finished).to.equal(true);
      expect(primary.handlerCount()).to.equal(0);
      primary.emit('add', obj('ns', 'b'));
      await flush();
      expect(reconciled).to.deep.equal(['ns/a']);
      expect(controller.isRunning()).to.equal(false);
    });
  });
});
