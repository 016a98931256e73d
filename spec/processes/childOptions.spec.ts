import * as path from 'node:path';
import { fork$, worker$ } from 'rxrun';

// The options fork$ and worker$ share, checked at call time (no process or thread is started).
const MODULE = path.join(__dirname, 'fixtures', 'thread.js');

describe.each([
  ['fork$', (config: object) => fork$(MODULE, [], config as never)],
  ['worker$', (config: object) => worker$(MODULE, config as never)],
])('%s: argv-like options and env', (where, start) => {
  it("execArgv must be an array of strings, naming the option or the element", () => {
    expect(() => start({ execArgv: '--inspect' })).toThrow(new TypeError(`${where}: option 'execArgv' must be an array of strings, got "--inspect"`));
    expect(() => start({ execArgv: ['--a', 2] })).toThrow(new TypeError(`${where}: option 'execArgv[1]' must be a string, got 2`));
  });

  it('env must be a plain object', () => {
    expect(() => start({ env: 'A=1' })).toThrow(new TypeError(`${where}: option 'env' must be an object, got "A=1"`));
    expect(() => start({ env: null })).toThrow(new TypeError(`${where}: option 'env' must be an object, got null`));
    expect(() => start({ env: new Map() })).toThrow(TypeError);
  });

  it('accepts valid values without starting anything until subscribed', () => {
    expect(() => start({ execArgv: [], env: { A: '1' } })).not.toThrow();
    expect(() => start({ env: Object.create(null) as object })).not.toThrow();
  });
});

it("worker$: argv is checked like execArgv", () => {
  expect(() => worker$(MODULE, { argv: ['x', {}] as never })).toThrow(new TypeError("worker$: option 'argv[1]' must be a string, got a value of type object"));
  expect(() => worker$(MODULE, { argv: 'x' as never })).toThrow(new TypeError("worker$: option 'argv' must be an array of strings, got \"x\""));
});

it('fork$: the positional args are checked the same way, named as an argument', () => {
  expect(() => fork$(MODULE, 'x' as never)).toThrow(new TypeError("fork$: 'args' must be an array of strings, got \"x\""));
  expect(() => fork$(MODULE, ['a', 1] as never)).toThrow(new TypeError("fork$: 'args[1]' must be a string, got 1"));
  expect(() => fork$(MODULE)).not.toThrow();
});
