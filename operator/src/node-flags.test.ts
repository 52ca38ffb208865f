import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATOR_NODE_FLAGS } from './node-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('operator node flags', () => {
  it('the image starts the operator with the flags the benchmark measured', () => {
    const dockerfile = readFileSync(path.join(root, 'operator/Dockerfile'), 'utf8');
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entry ?? '[]')).to.deep.equal(['node', ...OPERATOR_NODE_FLAGS, 'dist/operator/src/cli.js']);
  });
});
