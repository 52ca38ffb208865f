import { expect } from 'chai';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigProviders } from './config-providers.js';

const P = 'org.apache.kafka.common.config.provider.';

describe('ConfigProviders', () => {
  it('resolves ${dir:...}, ${file:...} and ${env:...} placeholders and leaves unknown ones alone', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'providers-'));
    await writeFile(path.join(dir, 'password'), 's3cret');
    await writeFile(path.join(dir, 'creds.properties'), 'user=alice\n');
    process.env['SLUICE_TEST_HOST'] = 'w-0.svc';
    const providers = new ConfigProviders({
      'config.providers': 'dir,file,env',
      'config.providers.dir.class': `${P}DirectoryConfigProvider`,
      'config.providers.file.class': `${P}FileConfigProvider`,
      'config.providers.env.class': `${P}EnvVarConfigProvider`,
    });
    const resolved = providers.resolve({
      jaas: `Plain required username="\${file:${dir}/creds.properties:user}" password="\${dir:${dir}:password}";`,
      host: '${env:SLUICE_TEST_HOST}',
      other: '${vault:secret/x:y}',
    });
    expect(resolved).to.deep.equal({
      jaas: 'Plain required username="alice" password="s3cret";',
      host: 'w-0.svc',
      other: '${vault:secret/x:y}',
    });
  });

  it('does not let ${dir:...} escape its directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'providers-'));
    const providers = new ConfigProviders({
      'config.providers': 'dir',
      'config.providers.dir.class': `${P}DirectoryConfigProvider`,
    });
    expect(providers.resolve({ x: `\${dir:${dir}:../../etc/passwd}` }).x).to.equal(`\${dir:${dir}:../../etc/passwd}`);
  });

  it('rejects an unknown provider class', () => {
    expect(
      () => new ConfigProviders({ 'config.providers': 'x', 'config.providers.x.class': 'com.example.Nope' }),
    ).to.throw(/unknown config provider class/);
  });
});
