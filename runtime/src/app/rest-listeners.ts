// A worker's REST listeners seen as one RestServer: one server per URL of
// `listeners` (the API; the /admin endpoints too unless admin.listeners is
// set), of `admin.listeners` (only /admin) and of `health.listeners` (only
// GET /health and /metrics, plain http). https listeners load their key
// material from Kafka's ssl keys and reload it when the files change.
import type { SecureContextOptions } from 'node:tls';
import type { Herder } from '../herder/types.js';
import { createRestServer, type MetricsSource, type RestLogger, type RestServer } from '../rest/index.js';
import { loadMaterial, watchMaterial, type MaterialWatch } from '../rest/tls-material.js';
import { requireKeystore, tlsSettings, type TlsSettings } from '../rest/tls-settings.js';
import { tlsFetch } from '../rest/tls-fetch.js';
import type { Listener, ListenerPlan } from './listeners.js';

const isAdmin = (segments: readonly string[]) => segments[0] === 'admin';
const isHealth = (segments: readonly string[]) =>
  segments.length === 1 && (segments[0] === 'health' || segments[0] === 'metrics');

export interface RestListenersOptions {
  readonly plan: ListenerPlan;
  /** worker.properties as given (for the ssl keys) */
  readonly raw: Readonly<Record<string, string>>;
  readonly herder: Herder;
  readonly logger: RestLogger;
  readonly metrics?: MetricsSource;
  /** how often certificate files are checked for a renewal; default 5 s */
  readonly reloadIntervalMs?: number;
}

/** The TLS settings of the main https listeners, checked (a keystore is required). */
export function mainTlsSettings(raw: Readonly<Record<string, string>>): TlsSettings {
  const s = tlsSettings(raw, 'listeners.https.');
  requireKeystore(s);
  return s;
}

/**
 * The fetch other workers are called with: over https with this worker's
 * certificate when its advertised listener is https. The material is checked
 * now and read again on each call (calls are rare), so renewals apply.
 */
export function workerToWorkerFetch(
  raw: Readonly<Record<string, string>>,
  scheme: 'http' | 'https',
): typeof fetch | undefined {
  if (scheme === 'http') return undefined;
  const s = mainTlsSettings(raw);
  loadMaterial(s);
  return tlsFetch(() => loadMaterial(s), s.verifyHostname);
}

export function createRestListeners(o: RestListenersOptions): RestServer {
  const watches: MaterialWatch[] = [];
  const servers: Array<{ server: RestServer; listener: Listener }> = [];

  const build = (listener: Listener, prefix: string, serves: ((s: readonly string[]) => boolean) | undefined) => {
    let tls: { material: SecureContextOptions; clientAuth: TlsSettings['clientAuth'] } | undefined;
    const ref: { server?: RestServer } = {};
    if (listener.protocol === 'https') {
      const settings = tlsSettings(o.raw, prefix);
      requireKeystore(settings);
      const watch = watchMaterial(
        settings,
        (material) => {
          ref.server?.setTlsMaterial(material);
          o.logger.info('REST TLS material reloaded', { host: listener.host, port: listener.port });
        },
        (err) => o.logger.warn('REST TLS material not reloaded (keeping the previous one)', { error: err.message }),
        o.reloadIntervalMs,
      );
      watches.push(watch);
      tls = { material: watch.current(), clientAuth: settings.clientAuth };
    }
    const server = createRestServer({
      herder: o.herder,
      logger: o.logger,
      host: listener.host,
      port: listener.port,
      ...(o.metrics ? { metrics: o.metrics } : {}),
      ...(tls ? { tls } : {}),
      ...(serves ? { serves } : {}),
    });
    ref.server = server;
    servers.push({ server, listener });
  };

  const { plan } = o;
  for (const l of plan.main) build(l, 'listeners.https.', plan.admin === undefined ? undefined : (s) => !isAdmin(s));
  for (const l of plan.admin ?? []) build(l, 'admin.listeners.https.', isAdmin);
  for (const l of plan.health) build(l, '', isHealth);

  const started: RestServer[] = [];
  let mainPort: number | undefined;
  return {
    async start() {
      try {
        for (const { server } of servers) {
          const { port } = await server.start();
          mainPort ??= port;
          started.push(server);
        }
      } catch (err) {
        for (const s of started.splice(0)) await s.stop();
        for (const w of watches) w.stop();
        throw err;
      }
      return { port: mainPort! };
    },
    async stop() {
      for (const w of watches) w.stop();
      await Promise.all(started.splice(0).map((s) => s.stop()));
    },
    get url() {
      return servers[0]!.server.url;
    },
    addRoute(method, pattern, handler) {
      for (const { server } of servers) server.addRoute(method, pattern, handler);
    },
    setTlsMaterial() {
      throw new Error('set the material of one listener, not of all');
    },
  };
}
