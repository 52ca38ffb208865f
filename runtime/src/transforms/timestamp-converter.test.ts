import { expect } from 'chai';
import { ConfigError, DataError, Schemas, structSchema } from '../sdk/index.js';
import { LOGICAL_DATE, LOGICAL_TIME, LOGICAL_TIMESTAMP, timestampSchema } from './schema-util.js';
import { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('TimestampConverter', () => {
  const instant = new Date(Date.UTC(2024, 2, 15, 13, 45, 30, 250));
  const ms = instant.getTime();

  describe('configuration', () => {
    it('requires target.type', () => {
      expect(() => new TimestampConverterValue().configure({})).to.throw(ConfigError);
    });

    it('rejects an unknown target.type, case-sensitively', () => {
      expect(() => new TimestampConverterValue().configure({ 'target.type': 'timestamp' })).to.throw(ConfigError);
    });

    it('requires a format for string targets', () => {
      expect(() => new TimestampConverterValue().configure({ 'target.type': 'string' })).to.throw(
        ConfigError,
        /format/,
      );
    });

    it('rejects a pattern SimpleDateFormat would reject', () => {
      expect(() => new TimestampConverterValue().configure({ 'target.type': 'string', format: 'yyyy-qq' })).to.throw(
        ConfigError,
      );
    });

    it('rejects an unknown unix.precision', () => {
      expect(() =>
        new TimestampConverterValue().configure({ 'target.type': 'unix', 'unix.precision': 'hours' }),
      ).to.throw(ConfigError);
    });
  });

  describe('schemaless', () => {
    it('formats a unix timestamp as a string', () => {
      const t = configured(new TimestampConverterValue(), {
        'target.type': 'string',
        format: "yyyy-MM-dd'T'HH:mm:ss.SSS",
      });
      expect(t.apply(valueRecord(null, ms)).value).to.equal('2024-03-15T13:45:30.250');
    });

    it('parses a string into a Timestamp', () => {
      const t = configured(new TimestampConverterValue(), {
        'target.type': 'Timestamp',
        format: 'yyyy-MM-dd HH:mm:ss.SSS',
      });
      expect(t.apply(valueRecord(null, '2024-03-15 13:45:30.250')).value).to.deep.equal(instant);
    });

    it('converts a field of a map to unix seconds', () => {
      const t = configured(new TimestampConverterKey(), {
        field: 'at',
        'target.type': 'unix',
        'unix.precision': 'seconds',
      });
      expect(t.apply(keyRecord(null, { at: instant, id: 1 })).key).to.deep.equal({ at: Math.trunc(ms / 1000), id: 1 });
    });

    it('reads unix input in microseconds and writes nanoseconds as a bigint', () => {
      const micros = configured(new TimestampConverterValue(), {
        'target.type': 'Timestamp',
        'unix.precision': 'microseconds',
      });
      expect(micros.apply(valueRecord(null, ms * 1000 + 999)).value).to.deep.equal(instant);
      const nanos = configured(new TimestampConverterValue(), {
        'target.type': 'unix',
        'unix.precision': 'nanoseconds',
      });
      expect(nanos.apply(valueRecord(null, instant)).value).to.equal(BigInt(ms) * 1_000_000n);
    });

    it('truncates to the date and to the time of day', () => {
      const date = configured(new TimestampConverterValue(), { 'target.type': 'Date' });
      expect(date.apply(valueRecord(null, ms)).value).to.deep.equal(new Date(Date.UTC(2024, 2, 15)));
      const time = configured(new TimestampConverterValue(), { 'target.type': 'Time' });
      expect(time.apply(valueRecord(null, ms)).value).to.deep.equal(new Date(Date.UTC(1970, 0, 1, 13, 45, 30, 250)));
    });

    it('fails on a string that does not match the format', () => {
      const t = configured(new TimestampConverterValue(), { 'target.type': 'unix', format: 'yyyy-MM-dd' });
      expect(() => t.apply(valueRecord(null, 'yesterday'))).to.throw(DataError, /Could not parse timestamp/);
    });

    it('fails on values that are not timestamps', () => {
      const t = configured(new TimestampConverterValue(), { 'target.type': 'unix' });
      expect(() => t.apply(valueRecord(null, true))).to.throw(DataError);
    });

    it('passes null through', () => {
      const t = configured(new TimestampConverterValue(), { 'target.type': 'unix' });
      expect(t.apply(valueRecord(null, null)).value).to.equal(null);
    });
  });

  describe('with schema', () => {
    it('converts a struct field and its schema', () => {
      const schema = structSchema([
        ['id', Schemas.INT32],
        ['at', Schemas.OPTIONAL_INT64],
      ]);
      const t = configured(new TimestampConverterValue(), { field: 'at', 'target.type': 'Timestamp' });
      const out = t.apply(valueRecord(schema, { id: 1, at: ms }));
      expect(out.value).to.deep.equal({ id: 1, at: instant });
      const at = out.valueSchema!.fields![1]!.schema;
      expect(at).to.include({ type: 'int64', name: LOGICAL_TIMESTAMP, optional: true });
    });

    it('converts a whole Timestamp value to a string schema', () => {
      const t = configured(new TimestampConverterValue(), { 'target.type': 'string', format: 'yyyyMMddHHmm' });
      const out = t.apply(valueRecord(timestampSchema(), instant));
      expect(out.value).to.equal('202403151345');
      expect(out.valueSchema).to.equal(Schemas.STRING);
    });

    it('converts a string field into Date and Time logical types', () => {
      const schema = structSchema([['d', Schemas.STRING]]);
      const t = configured(new TimestampConverterValue(), { field: 'd', 'target.type': 'Date', format: 'dd/MM/yyyy' });
      const out = t.apply(valueRecord(schema, { d: '15/03/2024' }));
      expect(out.value).to.deep.equal({ d: new Date(Date.UTC(2024, 2, 15)) });
      expect(out.valueSchema!.fields![0]!.schema).to.include({ type: 'int32', name: LOGICAL_DATE });
      const time = configured(new TimestampConverterKey(), { 'target.type': 'Time' });
      expect(time.apply(keyRecord(timestampSchema(), instant)).keySchema).to.include({ name: LOGICAL_TIME });
    });

    it('fails on a schema that is not a timestamp type', () => {
      const t = configured(new TimestampConverterValue(), { 'target.type': 'unix' });
      expect(() => t.apply(valueRecord(Schemas.BOOLEAN, true))).to.throw(DataError, /timestamp type/);
    });
  });
});
