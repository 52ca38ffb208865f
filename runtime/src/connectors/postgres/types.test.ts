import { expect } from 'chai';
import {
  bigintToBytes,
  columnMapping,
  epochDays,
  intervalMicros,
  parseArrayLiteral,
  type ColumnInfo,
} from './types.js';
import { formatLsn, parseLsn } from './lsn.js';

const modes = { decimal: 'precise', binary: 'bytes', time: 'adaptive', interval: 'numeric' } as const;
const col = (name: string, typeMod = -1, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name: 'c',
  type: { oid: 0, name, kind: 'b' },
  typeMod,
  notNull: false,
  defaultExpr: null,
  ...extra,
});
const conv = (c: ColumnInfo, text: string, m: typeof modes | Record<string, string> = modes) =>
  columnMapping(c, m as typeof modes)!.convert(text);

describe('postgres CDC: types as Debezium maps them', () => {
  it('LSNs round-trip between X/Y text and int64', () => {
    expect(parseLsn('0/16E9058')).to.equal(24023128);
    expect(parseLsn('16/B374D848')).to.equal(0x16b374d848);
    expect(formatLsn(0x16b374d848)).to.equal('16/B374D848');
  });

  it('encodes decimals as Java BigInteger.toByteArray does', () => {
    expect(bigintToBytes(1999n).toString('hex')).to.equal('07cf');
    expect(bigintToBytes(128n).toString('hex')).to.equal('0080');
    expect(bigintToBytes(-1n).toString('hex')).to.equal('ff');
    expect(bigintToBytes(-129n).toString('hex')).to.equal('ff7f');
    expect(bigintToBytes(0n).toString('hex')).to.equal('00');
  });

  it('numeric(p,s) is a Decimal with scale and precision; numeric is a VariableScaleDecimal', () => {
    const fixed = columnMapping(col('numeric', ((10 << 16) | 2) + 4), modes)!;
    expect(fixed.schema).to.deep.include({
      type: 'bytes',
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    });
    expect(fixed.convert('19.99')).to.deep.equal({ unscaled: 1999n, scale: 2 });
    expect(conv(col('numeric'), '-1.125')).to.deep.equal({ scale: 3, value: bigintToBytes(-1125n) });
    expect(conv(col('numeric'), '1.50')).to.deep.equal({ scale: 1, value: bigintToBytes(15n) });
    expect(conv(col('numeric'), '100.00')).to.deep.equal({ scale: 0, value: bigintToBytes(100n) });
    expect(conv(col('numeric'), '0.000')).to.deep.equal({ scale: 0, value: bigintToBytes(0n) });
    expect(conv(col('numeric'), '1.50', { ...modes, decimal: 'string' })).to.equal('1.50');
    expect(conv(col('numeric'), '1.5', { ...modes, decimal: 'string' })).to.equal('1.5');
    expect(conv(col('numeric'), 'NaN', { ...modes, decimal: 'string' })).to.equal('NAN');
    expect(conv(col('numeric'), '1.5', { ...modes, decimal: 'double' })).to.equal(1.5);
  });

  it('dates, times and timestamps follow time.precision.mode=adaptive', () => {
    expect(epochDays(1970, 1, 1)).to.equal(0);
    expect(conv(col('date'), '2024-02-29')).to.equal(19782);
    expect(conv(col('time'), '13:45:56.123456')).to.equal(49556123456);
    expect(columnMapping(col('time', 3), modes)!.schema.name).to.equal('io.debezium.time.Time');
    expect(conv(col('time', 3), '01:02:03.456')).to.equal(3723456);
    expect(conv(col('timestamp'), '2025-01-15 10:30:00.123456')).to.equal(1736937000123456);
    expect(conv(col('timestamp', 3), '2025-01-15 10:30:00.5')).to.equal(1736937000500);
    expect(conv(col('timestamp'), 'infinity')).to.equal(9223372036825200000n);
    expect(conv(col('timestamptz'), '2025-01-15 10:30:00.123456+00')).to.equal('2025-01-15T10:30:00.123456Z');
    expect(conv(col('timestamptz'), '2025-01-15 00:30:00+02')).to.equal('2025-01-14T22:30:00.000000Z');
    expect(conv(col('timestamptz', 0), '2025-01-15 00:30:00+00')).to.equal('2025-01-15T00:30:00Z');
    expect(conv(col('timetz'), '10:00:00+01')).to.equal('09:00:00Z');
    expect(conv(col('timetz'), '10:00:00.25+01')).to.equal('09:00:00.25Z');
    expect(conv(col('date'), '0001-01-01 BC')).to.equal(epochDays(0, 1, 1));
  });

  it('intervals become MicroDuration with 365.25/12 days a month', () => {
    expect(intervalMicros('P1Y2M3DT4H5M6.5S')).to.equal(
      Math.round(14 * 30.4375 * 86_400e6 + 3 * 86_400e6 + 14_706.5e6),
    );
    expect(intervalMicros('PT-1.5S')).to.equal(-1_500_000);
    expect(intervalMicros('PT0S')).to.equal(0);
  });

  it('reads array literals with quotes, escapes and NULLs', () => {
    expect(parseArrayLiteral('{}')).to.deep.equal([]);
    expect(parseArrayLiteral('{1,2,NULL}')).to.deep.equal(['1', '2', null]);
    expect(parseArrayLiteral('{"x y","a\\"b","NULL"}')).to.deep.equal(['x y', 'a"b', 'NULL']);
  });

  it('maps uuid, json, bytea, enums and literal defaults', () => {
    expect(columnMapping(col('uuid'), modes)!.schema.name).to.equal('io.debezium.data.Uuid');
    expect(columnMapping(col('jsonb'), modes)!.schema.name).to.equal('io.debezium.data.Json');
    expect(conv(col('bytea'), '\\x00ff')).to.deep.equal(Buffer.from([0, 255]));
    expect(conv(col('bytea'), '\\x00ff', { ...modes, binary: 'hex' })).to.equal('00ff');
    const e = columnMapping(
      col('mood', -1, { type: { oid: 1, name: 'mood', kind: 'e', enumLabels: ['a', 'b'] } }),
      modes,
    )!;
    expect(e.schema).to.deep.include({ name: 'io.debezium.data.Enum', parameters: { allowed: 'a,b' } });
    const d = columnMapping(col('int4', -1, { notNull: true, defaultExpr: '7' }), modes)!;
    expect(d.schema).to.deep.include({ optional: false, defaultValue: 7 });
    const s = columnMapping(col('text', -1, { notNull: true, defaultExpr: "'it''s'::text" }), modes)!;
    expect(s.schema.defaultValue).to.equal("it's");
    expect(
      columnMapping(col('int4', -1, { defaultExpr: "nextval('s'::regclass)" }), modes)!.schema.defaultValue,
    ).to.equal(undefined);
    expect(columnMapping(col('point'), modes)).to.equal(null);
  });
});
