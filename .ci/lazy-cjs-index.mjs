// Build step (npm run build, after tsc): makes the CommonJS entry dist/cjs/index.js load each of
// rxrun's modules when one of its exports is first read, not when rxrun is required.
// `const { runApp } = require('rxrun')` then loads the runtime's modules only, not serve$, probes,
// timers, task groups or resources (about a third of rxrun's own load time instead of all of it).
// The ESM entry (.ci/write-esm-entries.mjs) reads every export, so an ES module import loads them all,
// as before. Types (index.d.ts) are tsc's, unchanged.
//
// tsc writes each `export { a } from './m.js'` as
//   var m_js_1 = require("./m.js");
//   Object.defineProperty(exports, "a", { enumerable: true, get: function () { return m_js_1.a; } });
// and this step turns the pair into
//   var m_js_1;
//   Object.defineProperty(exports, "a", { enumerable: true, get: function () { return (m_js_1 ??= require("./m.js")).a; } });
// Anything else is left as tsc wrote it (still correct, only eager). A module variable whose getters
// cannot be found fails the build: the entry must never export `undefined`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'dist/cjs/index.js');
let text = readFileSync(file, 'utf8');
if (text.includes('??= require(')) process.exit(0); // already done (this step ran twice on one tsc output)
const modules = new Map();
text = text.replace(/^var (\w+) = (require\("\.[^"]+"\));$/gm, (_line, name, load) => {
  modules.set(name, load);
  return `var ${name};`;
});
for (const [name, load] of modules) {
  const eager = `return ${name}.`;
  if (!text.includes(eager)) throw new Error(`.ci/lazy-cjs-index.mjs: no getter reads ${name} in ${file}; tsc's output changed`);
  text = text.split(eager).join(`return (${name} ??= ${load}).`);
  const uses = text.match(new RegExp(`\\b${name}\\b`, 'g')).length;
  const getters = text.split(`(${name} ??= ${load})`).length - 1;
  // The declaration, then only the getters: a use anywhere else would read the variable before it is set.
  if (uses !== getters + 1) throw new Error(`.ci/lazy-cjs-index.mjs: ${name} is used outside export getters in ${file}`);
}
if (modules.size === 0) throw new Error(`.ci/lazy-cjs-index.mjs: no re-exports found in ${file}; tsc's output changed`);
writeFileSync(file, text);
