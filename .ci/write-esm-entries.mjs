// Build step (npm run build): writes the ESM entry points dist/esm/index.js and
// dist/esm/testing/index.js as thin ES modules that re-export the CommonJS build — Node's documented
// "ES module wrapper" for dual packages. ESM and CommonJS users then share one instance of rxrun
// (one registry of running apps for `shutdownWaitsFor()` without an app, one class per error for
// `instanceof`), and an ESM import loads one small module instead of the whole tree twice.
// The type declarations in dist/esm come from `tsc -p tsconfig.esm.json` (declarations only).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

for (const entry of ['index', 'testing/index']) {
  const names = Object.keys(require(path.join(root, 'dist/cjs', `${entry}.js`))).filter((name) => name !== '__esModule');
  const file = path.join(root, 'dist/esm', `${entry}.js`);
  const target = path.relative(path.dirname(file), path.join(root, 'dist/cjs', `${entry}.js`)).split(path.sep).join('/');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `// rxrun's ESM entry: re-exports the CommonJS build so that ESM and CommonJS users share one instance.\n` +
      `import rxrun from '${target.startsWith('.') ? target : `./${target}`}';\n` +
      `export const { ${names.join(', ')} } = rxrun;\n`,
  );
}
writeFileSync(path.join(root, 'dist/esm/package.json'), `${JSON.stringify({ type: 'module' })}\n`);
