import { expect } from 'chai';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigProviders, sealTaskConfigs } from './config-providers.js';
import { maskSecrets } from '../util/secret-mask.js';

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

  describe('allowed.paths (KIP-993)', () => {
    const setup = async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'providers-'));
      const secrets = path.join(root, 'secrets');
      const other = path.join(root, 'other');
      await mkdir(secrets);
      await mkdir(other);
      await writeFile(path.join(secrets, 'password'), 'inside-secret');
      await writeFile(path.join(other, 'password'), 'outside-secret');
      await writeFile(path.join(other, 'creds.properties'), 'password=outside-file\n');
      await symlink(path.join(other, 'password'), path.join(secrets, 'escape'));
      await symlink(other, path.join(secrets, 'otherdir'));
      const warnings: unknown[] = [];
      const providers = new ConfigProviders(
        {
          'config.providers': 'dir,file',
          'config.providers.dir.class': `${P}DirectoryConfigProvider`,
          'config.providers.dir.param.allowed.paths': secrets,
          'config.providers.file.class': `${P}FileConfigProvider`,
          'config.providers.file.param.allowed.paths': secrets,
        },
        (message, fields) => warnings.push({ message, fields }),
      );
      return { secrets, other, providers, warnings };
    };

    it('reads under the allowed paths and leaves every placeholder outside them unresolved', async () => {
      const { secrets, other, providers, warnings } = await setup();
      const raw = {
        ok: `\${dir:${secrets}:password}`,
        outside: `\${dir:${other}:password}`,
        dotdot: `\${dir:${secrets}/..${path.sep}other:password}`,
        link: `\${dir:${secrets}:escape}`,
        linkdir: `\${dir:${secrets}/otherdir:password}`,
        file: `\${file:${other}/creds.properties:password}`,
      };
      const resolved = providers.resolve(raw);
      expect(resolved).to.deep.equal({ ...raw, ok: 'inside-secret' });
      expect(JSON.stringify(resolved)).not.to.match(/outside-(secret|file)/);
      expect(warnings.length).to.be.greaterThan(0);
    });

    it('refuses a relative allowed path at startup, as Apache does', async () => {
      for (const bad of ['relative/dir']) {
        expect(
          () =>
            new ConfigProviders({
              'config.providers': 'dir',
              'config.providers.dir.class': `${P}DirectoryConfigProvider`,
              'config.providers.dir.param.allowed.paths': bad,
            }),
        ).to.throw(/config\.providers\.dir\.param\.allowed\.paths.*should be absolute/);
      }
    });

    it('only warns about a missing allowed path (a secrets directory not mounted yet), which allows nothing', async () => {
      const missing = path.join(tmpdir(), `no-such-${process.pid}-${Date.now()}`);
      const warnings: unknown[] = [];
      const providers = new ConfigProviders(
        {
          'config.providers': 'dir',
          'config.providers.dir.class': `${P}DirectoryConfigProvider`,
          'config.providers.dir.param.allowed.paths': missing,
        },
        (message) => warnings.push(message),
      );
      expect(warnings).to.have.length(1);
      expect(providers.resolve({ x: '${dir:/etc:hostname}' }).x).to.equal('${dir:/etc:hostname}');
    });
  });

  describe('EnvVarConfigProvider allowlist.pattern', () => {
    it('resolves only names the pattern matches', () => {
      process.env['SLUICE_TEST_ALLOWED_X'] = 'allowed-value';
      process.env['SLUICE_TEST_SECRET_X'] = 'forbidden-value';
      const providers = new ConfigProviders({
        'config.providers': 'env',
        'config.providers.env.class': `${P}EnvVarConfigProvider`,
        'config.providers.env.param.allowlist.pattern': '^SLUICE_TEST_ALLOWED_.*',
      });
      expect(providers.resolve({ a: '${env:SLUICE_TEST_ALLOWED_X}', b: '${env:SLUICE_TEST_SECRET_X}' })).to.deep.equal({
        a: 'allowed-value',
        b: '${env:SLUICE_TEST_SECRET_X}',
      });
    });

    it('refuses a path, as Apache does', () => {
      const providers = new ConfigProviders({
        'config.providers': 'env',
        'config.providers.env.class': `${P}EnvVarConfigProvider`,
      });
      expect(() => providers.resolve({ a: '${env:/etc:HOME}' })).to.throw(/Path is not supported/);
    });

    it('refuses an invalid pattern at startup', () => {
      expect(
        () =>
          new ConfigProviders({
            'config.providers': 'env',
            'config.providers.env.class': `${P}EnvVarConfigProvider`,
            'config.providers.env.param.allowlist.pattern': '(unclosed',
          }),
      ).to.throw(/allowlist\.pattern/);
    });
  });

  describe('sealed task configs', () => {
    it('puts the placeholders back into task configs a connector generated from resolved values', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'providers-'));
      await writeFile(path.join(dir, 'password'), 'hunter2-long');
      const providers = new ConfigProviders({
        'config.providers': 'dir',
        'config.providers.dir.class': `${P}DirectoryConfigProvider`,
      });
      const raw = { password: `\${dir:${dir}:password}`, plain: 'x' };
      const { config, values } = providers.resolveTracked(raw);
      expect(config['password']).to.equal('hunter2-long');
      // A connector copies the secret under its own key, into a longer value, and under another key.
      const generated = [
        {
          password: config['password']!,
          url: `jdbc://u:${config['password']}@db`,
          copy: config['password']!,
          plain: 'x',
        },
      ];
      const sealed = sealTaskConfigs(raw, generated, values);
      expect(JSON.stringify(sealed)).not.to.include('hunter2-long');
      expect(sealed[0]).to.deep.equal({
        password: raw.password,
        url: `jdbc://u:${raw.password}@db`,
        copy: raw.password,
        plain: 'x',
      });
      // Starting the task resolves the sealed config to what the connector generated.
      expect(providers.resolve(sealed[0]!)).to.deep.equal(generated[0]);
    });

    it('registers every resolved value for masking', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'providers-'));
      await writeFile(path.join(dir, 'token'), 'tok-3f9a8b7c');
      const providers = new ConfigProviders({
        'config.providers': 'dir',
        'config.providers.dir.class': `${P}DirectoryConfigProvider`,
      });
      providers.resolve({ t: `\${dir:${dir}:token}` });
      expect(maskSecrets('failed to open /x/tok-3f9a8b7c/y')).to.equal('failed to open /x/[hidden]/y');
    });
  });
});
