// One version for every built-in connector: they ship with the runtime, so
// they are versioned with it rather than on their own.
export const CONNECTORS_VERSION = '0.1.0';
