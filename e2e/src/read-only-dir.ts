// Makes a test directory read-only for a while, for store fault tests. As
// root, permissions do not stop writes: the directory is bind-mounted onto
// itself and remounted read-only (writes fail with EROFS). Otherwise its
// write permission is taken away (EACCES).
import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const isRoot = () => process.getuid?.() === 0;

export async function makeReadOnly(dir: string): Promise<void> {
  if (!isRoot()) return chmod(dir, 0o555);
  await run('mount', ['--bind', dir, dir]);
  try {
    await run('mount', ['-o', 'remount,ro,bind', dir]);
  } catch (err) {
    await run('umount', [dir]).catch(() => undefined);
    throw err;
  }
}

export async function makeWritable(dir: string): Promise<void> {
  if (!isRoot()) return chmod(dir, 0o755);
  // Lazily, should the worker hold something open there.
  await run('umount', ['-l', dir]);
}
