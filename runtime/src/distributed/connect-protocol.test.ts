import { expect } from 'chai';
import { SchemaError } from '../errors.js';
import {
  CONNECTOR_TASK,
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  groupByConnector,
  protocolVersionOf,
  splitConnectorTasks,
  type ConnectAssignment,
} from './connect-protocol.js';

// Hand-built bytes, field by field. The same hex came out of Apache Kafka
// 4.3.1's IncrementalCooperativeConnectProtocol.serializeAssignment /
// serializeMetadata and ConnectProtocol.serializeMetadata for these values
// (ExtendedAssignment(v, 0, "w1", "u", 7, [c], [c-0], [], [d-3], 1000)).
const hex = (...parts: string[]) => Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');

const assignmentBody = [
  '0000', // error: NO_ERROR
  '0002 7731', // leader: "w1"
  '0001 75', // leader-url: "u"
  '0000000000000007', // config-offset: 7
  '00000001', // assignment: 1 connector
  '0001 63', //   connector: "c"
  '00000002 ffffffff 00000000', //   tasks: [-1 (the connector), 0]
  '00000001', // revoked: 1 connector
  '0001 64', //   connector: "d"
  '00000001 00000003', //   tasks: [3]
  '000003e8', // delay: 1000
];

const assignment = (version: number): ConnectAssignment => ({
  version,
  error: 0,
  leader: 'w1',
  leaderUrl: 'u',
  configOffset: 7n,
  assigned: [{ connector: 'c', tasks: [CONNECTOR_TASK, 0] }],
  revoked: [{ connector: 'd', tasks: [3] }],
  delay: 1000,
});

describe('Connect group protocol', () => {
  it('encodes a sessioned (V2) assignment byte for byte', () => {
    const expected = hex('0002', ...assignmentBody);
    expect(encodeAssignment(assignment(2)).toString('hex')).to.equal(expected.toString('hex'));
    expect(decodeAssignment(expected)).to.deep.equal(assignment(2));
  });

  it('encodes a compatible (V1) assignment with the V1 header and the same body', () => {
    const expected = hex('0001', ...assignmentBody);
    expect(encodeAssignment(assignment(1)).equals(expected)).to.equal(true);
    expect(decodeAssignment(expected)).to.deep.equal(assignment(1));
  });

  it('encodes V2 metadata with the previous assignment embedded under the metadata version', () => {
    const embedded = hex('0002', ...assignmentBody);
    const expected = hex(
      '0002', // version
      '0001 75', // url: "u"
      '0000000000000007', // config-offset: 7
      '00000039', // allocation: 57 bytes
      embedded.toString('hex'),
    );
    expect(embedded.length).to.equal(0x39);
    // The allocation says V1 but is written with the metadata's V2 header, as Java does.
    const metadata = { version: 2, url: 'u', configOffset: 7n, allocation: assignment(1) };
    expect(encodeMetadata(metadata).toString('hex')).to.equal(expected.toString('hex'));
    expect(decodeMetadata(expected)).to.deep.equal({ ...metadata, allocation: assignment(2) });
  });

  it('writes a null allocation for a worker that never had an assignment', () => {
    const expected = hex('0001', '0001 75', 'ffffffffffffffff', 'ffffffff');
    const metadata = { version: 1, url: 'u', configOffset: -1n, allocation: null };
    expect(encodeMetadata(metadata).equals(expected)).to.equal(true);
    expect(decodeMetadata(expected)).to.deep.equal(metadata);
  });

  it('appends the draining flag after the allocation only when set (Sluice extension)', () => {
    const plain = hex('0002', '0001 75', '0000000000000007', 'ffffffff');
    expect(encodeMetadata({ version: 2, url: 'u', configOffset: 7n, allocation: null }).equals(plain)).to.equal(true);
    const draining = { version: 2, url: 'u', configOffset: 7n, allocation: null, draining: true };
    const bytes = encodeMetadata(draining);
    expect(bytes.toString('hex')).to.equal(plain.toString('hex') + '0001');
    expect(decodeMetadata(bytes)).to.deep.equal(draining);
    expect(decodeMetadata(plain)).to.not.have.property('draining');
  });

  it('reads and writes V0 (eager) metadata and assignments without the V1 fields', () => {
    const metadataBytes = hex('0000', '0001 75', '0000000000000007');
    expect(encodeMetadata({ version: 0, url: 'u', configOffset: 7n, allocation: null }).equals(metadataBytes)).to.equal(
      true,
    );
    expect(decodeMetadata(metadataBytes)).to.deep.equal({ version: 0, url: 'u', configOffset: 7n, allocation: null });

    const v0 = hex('0000', '0000', '0002 7731', '0001 75', '0000000000000007', '00000001 0001 63 00000001 ffffffff');
    const decoded = decodeAssignment(v0);
    expect(decoded).to.deep.equal({
      version: 0,
      error: 0,
      leader: 'w1',
      leaderUrl: 'u',
      configOffset: 7n,
      assigned: [{ connector: 'c', tasks: [-1] }],
      revoked: [],
      delay: 0,
    });
    expect(encodeAssignment(decoded).equals(v0)).to.equal(true);
  });

  it('tolerates missing trailing fields and null arrays, as Java does', () => {
    const truncated = hex('0001', '0001', '0002 7731', '0001 75', '0000000000000009', 'ffffffff');
    expect(decodeAssignment(truncated)).to.deep.include({ error: 1, assigned: [], revoked: [], delay: 0 });
  });

  it('rejects truncated fields, negative versions and null strings', () => {
    expect(() => decodeAssignment(hex('0002', '0000', '0002 77'))).to.throw(SchemaError, /underflow/);
    expect(() => decodeMetadata(hex('ffff', '0001 75', '0000000000000007'))).to.throw(SchemaError, /version -1/);
    expect(() => decodeAssignment(hex('0001', '0000', 'ffff'))).to.throw(SchemaError, /null/);
    expect(() => decodeAssignment(hex('0001', '0000', '0000', '0000', '0000000000000000', '7fffffff'))).to.throw(
      SchemaError,
      /count/,
    );
  });

  it('keeps an unknown newer version number so that re-encoding is exact', () => {
    const v3 = hex('0003', ...assignmentBody);
    const decoded = decodeAssignment(v3);
    expect(decoded.version).to.equal(3);
    expect(encodeAssignment(decoded).equals(v3)).to.equal(true);
  });

  it('writes UTF-8 strings with their byte length', () => {
    const bytes = encodeMetadata({ version: 1, url: 'http://wörker:8083', configOffset: 0n, allocation: null });
    expect(bytes.subarray(2, 4).readInt16BE()).to.equal(Buffer.byteLength('http://wörker:8083'));
    expect(decodeMetadata(bytes).url).to.equal('http://wörker:8083');
  });

  it('groups connectors and tasks per connector in Java order, and splits them back', () => {
    const grouped = groupByConnector(
      ['b', 'a'],
      [
        { connector: 'a', task: 1 },
        { connector: 'c', task: 0 },
        { connector: 'a', task: 0 },
      ],
    );
    expect(grouped).to.deep.equal([
      { connector: 'b', tasks: [-1] },
      { connector: 'a', tasks: [-1, 1, 0] },
      { connector: 'c', tasks: [0] },
    ]);
    expect(splitConnectorTasks(grouped)).to.deep.equal({
      connectors: ['b', 'a'],
      tasks: [
        { connector: 'a', task: 1 },
        { connector: 'a', task: 0 },
        { connector: 'c', task: 0 },
      ],
    });
  });

  it('maps protocol names to versions', () => {
    expect(protocolVersionOf('sessioned')).to.equal(2);
    expect(protocolVersionOf('compatible')).to.equal(1);
    expect(protocolVersionOf('default')).to.equal(0);
    expect(() => protocolVersionOf('consumer')).to.throw(SchemaError);
  });
});
