// The worker's REST API (Kafka Connect's paths and shapes) over a Herder.
export { createRestServer, type RestServer, type RestServerOptions } from './server.js';
export { RestError } from '../errors.js';
export type { RestLogger, RestRequest, RestResponse, RouteHandler, MetricsSource } from './types.js';
