// The plugin SDK: the only module connectors, transforms and converters
// import, whether built in or third party.
export * from './errors.js';
export * from './schema.js';
export * from './record.js';
export * from './config-def.js';
export * from './connector.js';
export * from './task.js';
export * from './transform.js';
export * from './converter.js';
export * from './plugin.js';
