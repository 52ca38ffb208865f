import { expect } from 'chai';
import { withOldToastedValues } from './events.js';
import { UNCHANGED_TOAST, type TupleValue } from './pgoutput.js';

describe('postgres CDC: change events as Debezium builds them', () => {
  it('an update takes unchanged TOASTed values from the old row when it has them, else keeps the placeholder', () => {
    const newRow: TupleValue[] = ['1', UNCHANGED_TOAST, UNCHANGED_TOAST, '3'];
    // REPLICA IDENTITY FULL: the old row carries every value.
    expect(withOldToastedValues(newRow, ['1', 'big', '\\x00ff', '2'])).to.deep.equal(['1', 'big', '\\x00ff', '3']);
    // DEFAULT: no old row, or (key change) a key tuple with nulls outside the key.
    expect(withOldToastedValues(newRow, null)).to.deep.equal(newRow);
    expect(withOldToastedValues(newRow, ['1', null, null, null])).to.deep.equal(newRow);
  });
});
