#!/usr/bin/env node
// sluice-operator: reconciles KafkaConnect and Connector resources.
process.stderr.write('sluice-operator: not implemented yet\n');
process.exit(1);
