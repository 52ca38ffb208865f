// Java regular expressions as RegexRouter and TopicNameMatches use them:
// Matcher.matches() must match the whole input, and replacement strings use
// Java's `$1` / `${name}` group references and `\` escapes.

export interface JavaPattern {
  /** anchored at both ends, for Matcher.matches() */
  readonly full: RegExp;
  /** unanchored, for Matcher.find() and replaceFirst() */
  readonly find: RegExp;
}

/** Compiles a Java pattern; throws Error when it cannot be compiled. */
export function compileJavaRegex(pattern: string): JavaPattern {
  let source = pattern;
  let flags = '';
  // Java's embedded flags at the start of a pattern are JavaScript's RegExp flags.
  const embedded = /^\(\?([imsx]+)\)/.exec(source);
  if (embedded) {
    if (embedded[1]!.includes('x')) throw new Error('The COMMENTS flag (?x) is not supported');
    flags = embedded[1]!;
    source = source.slice(embedded[0].length);
  }
  source = source.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  const compile = (flagSet: string): JavaPattern => ({
    full: new RegExp(`^(?:${source})$`, flagSet),
    find: new RegExp(source, flagSet),
  });
  try {
    return compile(flags);
  } catch (err) {
    // Unicode property classes such as \p{L} only compile in unicode mode.
    try {
      return compile(flags + 'u');
    } catch {
      throw err;
    }
  }
}

/** Java's Matcher.matches(): the groups of a whole-string match, or null. */
export function fullMatch(pattern: JavaPattern, input: string): RegExpExecArray | null {
  return pattern.full.exec(input);
}

/** Java's Matcher.replaceFirst(). */
export function replaceFirst(pattern: JavaPattern, input: string, replacement: JavaReplacement): string {
  const m = pattern.find.exec(input);
  if (!m) return input;
  return input.slice(0, m.index) + replacement.expand(m) + input.slice(m.index + m[0].length);
}

type Part = string | number | { name: string };

export class JavaReplacement {
  private readonly parts: Part[];

  /** Throws Error for the replacements Java's Matcher.appendReplacement rejects. */
  constructor(replacement: string, pattern: JavaPattern) {
    const probe = new RegExp(`${pattern.find.source}|`, pattern.find.flags).exec('')!;
    const groupCount = probe.length - 1;
    const names = new Set(Object.keys(probe.groups ?? {}));
    this.parts = [];
    let literal = '';
    for (let i = 0; i < replacement.length; i++) {
      const c = replacement.charAt(i);
      if (c === '\\') {
        if (++i >= replacement.length) throw new Error('character to be escaped is missing');
        literal += replacement.charAt(i);
      } else if (c === '$') {
        if (++i >= replacement.length) throw new Error('Illegal group reference: group index is missing');
        if (literal) this.parts.push(literal);
        literal = '';
        if (replacement.charAt(i) === '{') {
          const end = replacement.indexOf('}', i);
          const name = end < 0 ? '' : replacement.slice(i + 1, end);
          if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error('named capturing group is missing trailing }');
          if (!names.has(name)) throw new Error(`No group with name {${name}}`);
          this.parts.push({ name });
          i = end;
        } else {
          let ref = Number(replacement.charAt(i));
          if (!/\d/.test(replacement.charAt(i))) throw new Error('Illegal group reference');
          if (ref > groupCount) throw new Error(`No group ${ref}`);
          // Like Java, take further digits only while they still name an existing group.
          while (/\d/.test(replacement.charAt(i + 1)) && ref * 10 + Number(replacement.charAt(i + 1)) <= groupCount) {
            ref = ref * 10 + Number(replacement.charAt(++i));
          }
          this.parts.push(ref);
        }
      } else {
        literal += c;
      }
    }
    if (literal) this.parts.push(literal);
  }

  expand(match: RegExpExecArray): string {
    return this.parts
      .map((p) =>
        typeof p === 'string' ? p : typeof p === 'number' ? (match[p] ?? '') : (match.groups?.[p.name] ?? ''),
      )
      .join('');
  }
}
