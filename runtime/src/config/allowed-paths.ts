// Apache's AllowedPaths (KIP-993), shared by the File and Directory config
// providers (`config.providers.<alias>.param.allowed.paths`) and the
// FileStream connectors (`sluice.file.allowed.paths`): a comma-separated
// list of absolute, existing directories or files; a path is allowed when,
// normalised, it lies at or below one of them. Stricter than Apache in one
// way: symbolic links are followed (the path's deepest existing ancestor is
// resolved with realpath), so a link inside an allowed directory cannot
// point outside it.
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../sdk/index.js';

export class AllowedPaths {
  private constructor(
    /** null: no restriction (the key is unset or empty), as in Apache */
    private readonly roots: readonly string[] | null,
  ) {}

  /**
   * From the key's value; ConfigError naming `key` when a path is relative or
   * (with `mustExist`, as Apache's providers require) missing.
   */
  static parse(key: string, value: string | readonly string[] | undefined, mustExist = true): AllowedPaths {
    const list = (typeof value === 'string' ? value.split(',') : (value ?? [])).map((s) => s.trim()).filter(Boolean);
    if (list.length === 0) return new AllowedPaths(null);
    const roots = list.map((p) => {
      const normalised = path.normalize(p);
      if (!path.isAbsolute(normalised) || (mustExist && !existsSync(normalised)))
        throw new ConfigError(
          key,
          `Path ${normalised} is not valid. The path should be absolute${mustExist ? ' and exist' : ''}`,
        );
      return realpathOfDeepestExisting(normalised) ?? normalised;
    });
    return new AllowedPaths(roots);
  }

  static unrestricted(): AllowedPaths {
    return new AllowedPaths(null);
  }

  get restricted(): boolean {
    return this.roots !== null;
  }

  /** The configured roots (for messages); empty when unrestricted. */
  get list(): readonly string[] {
    return this.roots ?? [];
  }

  /** Whether `p` (absolute) may be read or written. Relative paths are refused when restricted. */
  allows(p: string): boolean {
    if (this.roots === null) return true;
    if (!path.isAbsolute(p)) return false;
    const real = realpathOfDeepestExisting(path.normalize(p));
    if (real === null) return false;
    return this.roots.some(
      (root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep),
    );
  }
}

/**
 * realpath of `p`, following links in the part that exists; the missing rest
 * is appended as written. null when a link dangles (opening it could create
 * its target anywhere).
 */
function realpathOfDeepestExisting(p: string): string | null {
  let existing = p;
  const rest: string[] = [];
  while (!lexists(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) return p;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(realpathSync(existing), ...rest);
  } catch {
    return null;
  }
}

function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
