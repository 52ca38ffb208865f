import { randomBytes } from 'node:crypto';

/** A random DNS-1123-safe name for test objects, so tests never collide. */
export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
