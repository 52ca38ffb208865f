import { expect } from 'chai';
import { parsePattern, Router } from './router.js';

describe('Router', () => {
  it('matches literal segments and extracts params', () => {
    const r = new Router<string>();
    r.add('GET', '/connectors/{connector}/tasks/{task}/status', 'h');
    const m = r.match('GET', ['connectors', 'a', 'tasks', '3', 'status']);
    expect(m).to.deep.include({ kind: 'found', params: { connector: 'a', task: '3' } });
  });

  it('matches "/" as no segments', () => {
    const r = new Router<string>();
    r.add('GET', '/', 'root');
    const m = r.match('GET', []);
    expect(m.kind).to.equal('found');
  });

  it('reports not-found for an unknown path', () => {
    const r = new Router<string>();
    r.add('GET', '/a', 'h');
    expect(r.match('GET', ['b']).kind).to.equal('not-found');
    expect(r.match('GET', ['a', 'b']).kind).to.equal('not-found');
  });

  it('reports the allowed methods for a known path with another method', () => {
    const r = new Router<string>();
    r.add('GET', '/a/{x}', 'g');
    r.add('PUT', '/a/{x}', 'p');
    expect(r.match('POST', ['a', '1'])).to.deep.equal({ kind: 'method-not-allowed', allowed: ['GET', 'PUT'] });
  });

  it('does not let a param match an empty segment', () => {
    const r = new Router<string>();
    r.add('GET', '/a/{x}', 'h');
    expect(r.match('GET', ['a', '']).kind).to.equal('not-found');
  });

  it('prefers the more specific route whatever the order they were added in', () => {
    const r = new Router<string>();
    r.add('GET', '/connectors/{c}', 'param');
    r.add('GET', '/connectors/special', 'literal');
    const m = r.match('GET', ['connectors', 'special']);
    expect(m.kind === 'found' && m.route.handler).to.equal('literal');
    const n = r.match('GET', ['connectors', 'other']);
    expect(n.kind === 'found' && n.route.handler).to.equal('param');
  });

  it('refuses duplicate and malformed patterns', () => {
    const r = new Router<string>();
    r.add('GET', '/a/{x}', 'h');
    expect(() => r.add('get', '/a/{y}', 'h')).to.throw(/clashes/);
    expect(() => r.add('GET', 'a', 'h')).to.throw();
    expect(() => r.add('GET', '/a//b', 'h')).to.throw();
    expect(() => r.add('GET', '/a/{x}/{x}', 'h')).to.throw(/Duplicate/);
    expect(() => r.add('GET', '/a/x{y}', 'h')).to.throw();
    expect(() => r.add('G T', '/z', 'h')).to.throw();
  });

  it('parses patterns into literal and param segments', () => {
    expect(parsePattern('/x/{y}')).to.deep.equal([{ literal: 'x' }, { param: 'y' }]);
  });
});
