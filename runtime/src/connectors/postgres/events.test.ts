import { expect } from 'chai';
import { rowValue, tableModel, withOldToastedValues } from './events.js';
import type { TableInfo } from './catalog.js';
import type { Filters } from './config.js';
import { UNCHANGED_TOAST, type TupleValue } from './pgoutput.js';
import { NO_PLACEHOLDER, placeholderBytes, unchangedToastValue } from './toast.js';
import { primitiveSchema } from '../../sdk/index.js';
import type { PgType, TypeModes } from './types.js';

const NO_FILTERS: Filters = {
  schemaInclude: null,
  schemaExclude: null,
  tableInclude: null,
  tableExclude: null,
  columnInclude: null,
  columnExclude: null,
};
const MODES: TypeModes = { decimal: 'precise', binary: 'bytes', time: 'adaptive', interval: 'numeric' };
const base = (name: string): PgType => ({ oid: 0, name, kind: 'b' });
const array = (name: string): PgType => ({ oid: 0, name: `_${name}`, kind: 'b', isArray: true, element: base(name) });

/** The `after` of an update that left every column but `id` unchanged and TOASTed. */
function unchangedRow(types: Record<string, PgType>, modes: TypeModes = MODES, notNull = false) {
  const info: TableInfo = {
    oid: 1,
    schema: 'public',
    table: 't',
    columns: [
      { name: 'id', type: base('int4'), typeMod: -1, notNull: true, defaultExpr: null },
      ...Object.entries(types).map(([name, type]) => ({ name, type, typeMod: -1, notNull, defaultExpr: null })),
    ],
    primaryKey: ['id'],
    replicaIdentity: 'd',
  } as TableInfo;
  const model = tableModel('p', info, ['id', ...Object.keys(types)], modes, NO_FILTERS, () => undefined);
  return rowValue(model, ['1', ...Object.keys(types).map((): TupleValue => UNCHANGED_TOAST)]);
}

describe('postgres CDC: change events as Debezium builds them', () => {
  it('an update takes unchanged TOASTed values from the old row when it has them, else keeps the placeholder', () => {
    const newRow: TupleValue[] = ['1', UNCHANGED_TOAST, UNCHANGED_TOAST, '3'];
    // REPLICA IDENTITY FULL: the old row carries every value.
    expect(withOldToastedValues(newRow, ['1', 'big', '\\x00ff', '2'])).to.deep.equal(['1', 'big', '\\x00ff', '3']);
    // DEFAULT: no old row, or (key change) a key tuple with nulls outside the key.
    expect(withOldToastedValues(newRow, null)).to.deep.equal(newRow);
    expect(withOldToastedValues(newRow, ['1', null, null, null])).to.deep.equal(newRow);
  });

  it("unchanged TOASTed columns get Debezium's placeholder typed by column type", () => {
    const text = '__debezium_unavailable_value';
    const bytes = [...Buffer.from(text)]; // ASCII: the same as Java's signed bytes
    const after = unchangedRow({
      t: base('text'),
      j: base('jsonb'),
      b: base('bytea'),
      ta: array('text'),
      va: array('varchar'),
      ja: array('json'),
      ba: array('bytea'),
      ia: array('int4'),
      da: array('date'),
      la: array('int8'),
      ua: array('uuid'),
      sa: array('int2'),
      na: array('numeric'),
      n: base('numeric'),
    });
    expect(after).to.deep.equal({
      id: 1,
      t: text,
      j: text,
      b: Buffer.from(text),
      ta: [text],
      va: [text],
      ja: [text],
      ba: [Buffer.from(text)],
      ia: bytes,
      da: bytes,
      la: bytes,
      // UUID.nameUUIDFromBytes of the placeholder's bytes (Debezium's, in npm run cdc:compare)
      ua: ['b68a35a7-17ad-35b3-af2a-ae46edb4545a'],
      // the placeholder text, which Debezium's array and VariableScaleDecimal fields refuse: null
      sa: null,
      na: null,
      n: null,
    });
  });

  it('the placeholder in the other decimal and binary modes', () => {
    const text = '__debezium_unavailable_value';
    const types = { n: base('numeric'), b: base('bytea'), ba: array('bytea') };
    expect(unchangedRow(types, { ...MODES, decimal: 'string', binary: 'base64' })).to.deep.equal({
      id: 1,
      n: text,
      b: text, // not base64-encoded: Debezium's converter returns the placeholder as it is
      ba: null,
    });
    expect(unchangedRow(types, { ...MODES, decimal: 'double', binary: 'hex' })).to.deep.equal({
      id: 1,
      n: null,
      b: text,
      ba: null,
    });
    // date[] in time.precision.mode=connect: Kafka Connect's Date refuses Integers.
    expect(unchangedRow({ da: array('date') }, { ...MODES, time: 'connect' })).to.deep.equal({ id: 1, da: null });
    // A required field Debezium cannot fill fails its event; Sluice keeps a filler value.
    expect(unchangedRow({ n: base('numeric') }, MODES, true).n).to.deep.include({ scale: 0 });
  });

  it('unavailable.value.placeholder: a string or hex: octets, bytes taken as signed in int arrays', () => {
    const placeholder = placeholderBytes('hex:ff01');
    expect(placeholder).to.deep.equal(Buffer.from([0xff, 0x01]));
    const schema = (type: PgType, modes: TypeModes = MODES) =>
      tableModel(
        'p',
        {
          oid: 1,
          schema: 'public',
          table: 't',
          columns: [{ name: 'c', type, typeMod: -1, notNull: false, defaultExpr: null }],
          primaryKey: [],
          replicaIdentity: 'd',
        } as unknown as TableInfo,
        ['c'],
        modes,
        NO_FILTERS,
        () => undefined,
      ).valueColumns[0]!.mapping.schema;
    expect(unchangedToastValue(array('int4'), schema(array('int4')), placeholder)).to.deep.equal([-1, 1]);
    expect(unchangedToastValue(base('bytea'), schema(base('bytea')), placeholder)).to.deep.equal(placeholder);
    // Java's UUID.nameUUIDFromBytes(new byte[0])
    expect(unchangedToastValue(array('uuid'), schema(array('uuid')), Buffer.alloc(0))).to.deep.equal([
      'd41d8cd9-8f00-3204-a980-0998ecf8427e',
    ]);
    // numeric(p,s) in precise mode: a Decimal, BYTES like bytea, but it refuses the placeholder.
    const decimal = primitiveSchema('bytes', { name: 'org.apache.kafka.connect.data.Decimal', optional: true });
    expect(unchangedToastValue(base('numeric'), decimal, placeholder)).to.equal(NO_PLACEHOLDER);
    const after = unchangedRow({ t: base('text') }, { ...MODES, unavailable: placeholderBytes('gone') });
    expect(after).to.deep.equal({ id: 1, t: 'gone' });
  });
});
