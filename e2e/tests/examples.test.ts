// The example manifests stay valid: the real apiserver accepts every one of
// them in a server-side dry run (schemas, CEL rules, HPA target).
import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, withEnv } from '../src/env.js';
import { installCrds, kubectl } from '../src/kube.js';

describe('examples/kubernetes @env', function () {
  this.timeout(120_000);
  const env = withEnv();

  it('are accepted by the apiserver in a server-side dry run', async () => {
    await installCrds(env());
    const dir = path.join(repoRoot, 'examples/kubernetes');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
    expect(files).to.include.members(['standalone.yaml', 'distributed.yaml', 'secure.yaml', 'hpa.yaml']);
    for (const f of files) {
      const out = await kubectl(env(), 'apply', '--dry-run=server', '-n', 'default', '-f', path.join(dir, f));
      expect(out, f).to.match(/(created|configured|unchanged) \(server dry run\)/);
    }
  });
});
