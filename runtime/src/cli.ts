#!/usr/bin/env node
// sluice-runtime: the Kafka Connect worker, driven like Apache Kafka's scripts.
//   sluice-runtime standalone <worker.properties> [connector.properties|connector.json ...]
//   sluice-runtime distributed <worker.properties>
const usage = `usage: sluice-runtime standalone <worker.properties> [connector.properties|connector.json ...]
       sluice-runtime distributed <worker.properties>`;

const [mode] = process.argv.slice(2);
if (mode !== 'standalone' && mode !== 'distributed') {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
process.stderr.write(`sluice-runtime ${mode}: not implemented yet\n`);
process.exit(1);
