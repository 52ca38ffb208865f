// The operator's generic Kubernetes plumbing; nothing here knows about Kafka Connect.
export * from './clock.js';
export * from './logger.js';
export * from './rate-limiter.js';
export * from './work-queue.js';
export * from './rest.js';
export * from './resource-path.js';
export * from './discovery.js';
export * from './watcher.js';
export * from './apply.js';
export * from './leader-election.js';
export * from './events.js';
export * from './metrics.js';
export * from './health-server.js';
export * from './controller.js';
export * from './kube-config.js';
