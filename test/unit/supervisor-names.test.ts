import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerNames, checkName } from '../../services/supervisor/container-names.js';
import { TdockerError } from '../../services/errors/tdocker-error.js';

const A = 'abc1'.padEnd(64, '0');
const B = 'abc2'.padEnd(64, '0');
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'OK';
  } catch (e) {
    return (e as TdockerError).code;
  }
};

describe('container names and ids', () => {
  const names = new ContainerNames();
  names.add(A, 'web');
  names.add(B, 'db');

  it('finds a container by full id, name, /name and unique prefix', () => {
    assert.equal(names.resolve(A), A);
    assert.equal(names.resolve('web'), A);
    assert.equal(names.resolve('/db'), B);
    assert.equal(names.resolve('abc2'), B);
  });

  it('refuses an ambiguous prefix and an unknown reference clearly', () => {
    assert.equal(code(() => names.resolve('abc')), 'INVALID_ARGUMENT');
    assert.match((() => { try { names.resolve('abc'); } catch (e) { return (e as Error).message; } return ''; })(), /ambiguous: 2 containers/);
    assert.equal(code(() => names.resolve('nope')), 'NOT_FOUND');
    assert.equal(code(() => names.resolve('')), 'INVALID_ARGUMENT');
  });

  it('keeps names unique, and a rename frees the old name', () => {
    assert.equal(code(() => names.add('f'.repeat(64), 'web')), 'ALREADY_EXISTS');
    names.rename(A, 'web', 'front');
    assert.equal(names.resolve('front'), A);
    assert.equal(code(() => names.resolve('web')), 'NOT_FOUND');
    names.delete(B, 'db');
    assert.equal(code(() => names.resolve('db')), 'NOT_FOUND');
    assert.equal(names.nameTaken('db'), false);
  });

  it('checks names as Docker does', () => {
    assert.equal(checkName('/my_app.1-x'), 'my_app.1-x');
    for (const bad of ['a', '-x', 'has space', 'x/y', '']) assert.equal(code(() => checkName(bad)), 'INVALID_ARGUMENT', bad);
  });
});
