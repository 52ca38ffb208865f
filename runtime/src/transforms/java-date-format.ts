// The subset of java.text.SimpleDateFormat that Connect users put in
// TimestampConverter `format` and TimestampRouter `timestamp.format`, always
// in UTC as both transforms pin the formatter's time zone to UTC.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SUPPORTED = 'GyYMLdHkKhmsSEuaDZXz';

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

export class JavaDateFormat {
  private readonly tokens: Token[];

  /** Throws Error (Java's IllegalArgumentException) for patterns SimpleDateFormat would reject. */
  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern);
  }

  format(date: Date): string {
    return this.tokens.map((t) => (t.kind === 'literal' ? t.text : formatField(t.letter, t.count, date))).join('');
  }

  /**
   * Parses from the start of `text`; like DateFormat.parse, trailing text is
   * ignored and out-of-range fields roll over (the lenient default).
   * Returns null when the text does not match.
   */
  parse(text: string): Date | null {
    const fields: { letter: string; count: number }[] = [];
    let source = '^';
    this.tokens.forEach((t, i) => {
      if (t.kind === 'literal') {
        source += escapeRegex(t.text);
        return;
      }
      const next = this.tokens[i + 1];
      const abutting = next?.kind === 'field' && isNumeric(next.letter, next.count);
      source += `(${fieldRegex(t.letter, t.count, abutting)})`;
      fields.push(t);
    });
    const match = new RegExp(source, 'i').exec(text);
    if (!match) return null;

    let year = 1970;
    let month = 0;
    let day = 1;
    let dayOfYear: number | undefined;
    let hour = 0;
    let pm: boolean | undefined;
    let minute = 0;
    let second = 0;
    let millis = 0;
    let offsetMinutes = 0;
    fields.forEach((f, i) => {
      const raw = match[i + 1] ?? '';
      const n = Number(raw);
      switch (f.letter) {
        case 'y':
        case 'Y':
          year = f.count <= 2 && /^\d{2}$/.test(raw) ? twoDigitYear(n) : n;
          break;
        case 'M':
        case 'L':
          month = /^\d+$/.test(raw) ? n - 1 : monthIndex(raw);
          break;
        case 'd':
          day = n;
          break;
        case 'D':
          dayOfYear = n;
          break;
        case 'H':
        case 'k':
          hour = f.letter === 'k' && n === 24 ? 0 : n;
          break;
        case 'h':
        case 'K':
          hour = f.letter === 'h' && n === 12 ? 0 : n;
          break;
        case 'a':
          pm = raw.toUpperCase() === 'PM';
          break;
        case 'm':
          minute = n;
          break;
        case 's':
          second = n;
          break;
        case 'S':
          millis = n;
          break;
        case 'Z':
        case 'X':
        case 'z':
          offsetMinutes = parseOffset(raw);
          break;
      }
    });
    if (pm !== undefined && hour < 12 && pm) hour += 12;
    const date = new Date(0);
    if (dayOfYear !== undefined) date.setUTCFullYear(year, 0, dayOfYear);
    else date.setUTCFullYear(year, month, day);
    date.setUTCHours(hour, minute - offsetMinutes, second, millis);
    return Number.isNaN(date.getTime()) ? null : date;
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const literal = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += text;
    else tokens.push({ kind: 'literal', text });
  };
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    if (c === "'") {
      if (pattern.charAt(i + 1) === "'") {
        literal("'");
        i += 2;
        continue;
      }
      let text = '';
      i++;
      for (;;) {
        if (i >= pattern.length) throw new Error(`Unterminated quote in pattern: ${pattern}`);
        if (pattern.charAt(i) === "'") {
          if (pattern.charAt(i + 1) === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += pattern.charAt(i++);
      }
      literal(text);
    } else if (/[A-Za-z]/.test(c)) {
      if (!SUPPORTED.includes(c)) throw new Error(`Illegal pattern character '${c}'`);
      let count = 1;
      while (pattern.charAt(i + count) === c) count++;
      tokens.push({ kind: 'field', letter: c, count });
      i += count;
    } else {
      literal(c);
      i++;
    }
  }
  return tokens;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function formatField(letter: string, count: number, d: Date): string {
  switch (letter) {
    case 'G':
      return d.getUTCFullYear() > 0 ? 'AD' : 'BC';
    case 'y':
    case 'Y':
      return count === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), count);
    case 'M':
    case 'L':
      if (count >= 4) return MONTHS[d.getUTCMonth()]!;
      if (count === 3) return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      return pad(d.getUTCMonth() + 1, count);
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'D':
      return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, count);
    case 'H':
      return pad(d.getUTCHours(), count);
    case 'k':
      return pad(d.getUTCHours() || 24, count);
    case 'K':
      return pad(d.getUTCHours() % 12, count);
    case 'h':
      return pad(d.getUTCHours() % 12 || 12, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      return pad(d.getUTCMilliseconds(), count);
    case 'E':
      return count >= 4 ? DAYS[d.getUTCDay()]! : DAYS[d.getUTCDay()]!.slice(0, 3);
    case 'u':
      return pad(d.getUTCDay() || 7, count);
    case 'a':
      return d.getUTCHours() < 12 ? 'AM' : 'PM';
    case 'Z':
      return '+0000';
    case 'X':
      return 'Z';
    case 'z':
      return count >= 4 ? 'Coordinated Universal Time' : 'UTC';
    default:
      return '';
  }
}

function isNumeric(letter: string, count: number): boolean {
  if (letter === 'M' || letter === 'L') return count <= 2;
  return 'yYdDHkKhmsSu'.includes(letter);
}

function fieldRegex(letter: string, count: number, abutting: boolean): string {
  if (isNumeric(letter, count)) return abutting ? `\\d{${count}}` : letter === 'y' ? '[+-]?\\d+' : '\\d+';
  switch (letter) {
    case 'M':
    case 'L':
      return MONTHS.map((m) => (count === 3 ? m.slice(0, 3) : `${m}|${m.slice(0, 3)}`)).join('|');
    case 'E':
      return DAYS.map((m) => `${m}|${m.slice(0, 3)}`).join('|');
    case 'a':
      return 'AM|PM';
    case 'G':
      return 'AD|BC';
    default:
      return 'Z|UTC|GMT|Coordinated Universal Time|(?:GMT)?[+-]\\d{2}(?::?\\d{2})?';
  }
}

function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.slice(0, 3).toLowerCase() === name.slice(0, 3).toLowerCase());
}

function parseOffset(raw: string): number {
  const m = /([+-])(\d{2}):?(\d{2})?$/.exec(raw);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

// SimpleDateFormat reads two-digit years within 80 years before and 20 years after now.
function twoDigitYear(yy: number): number {
  const start = new Date().getUTCFullYear() - 80;
  let year = Math.floor(start / 100) * 100 + yy;
  if (year < start) year += 100;
  return year;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
