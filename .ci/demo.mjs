// `npm run demo -- <name> [args…]`: runs demos/<name> the way its README says, building rxrun first
// when dist/ is missing or older than lib/ (the demos import `rxrun`, which resolves to dist/).
// Without a name, or with an unknown one, it lists the demos and exits 2.
// The demo runs in a child process with the terminal: Ctrl-C reaches it directly (same process
// group); SIGINT, SIGTERM and SIGHUP sent to this script are passed on (rxrun coalesces the double
// Ctrl-C). This script ends the way the demo ended: with its exit code, or by the same signal.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsNode = ['-r', 'ts-node/register/transpile-only'];

/** name → { title, command: () => [file, args] , build: 'lib' | 'demos' } */
function demos() {
  const found = new Map();
  for (const dir of readdirSync(path.join(root, 'demos')).sort()) {
    const folder = path.join(root, 'demos', dir);
    if (!statSync(folder).isDirectory()) continue;
    const readme = path.join(folder, 'README.md');
    const title = existsSync(readme) ? readFileSync(readme, 'utf8').split('\n')[0].replace(/^#\s*/, '') : dir;
    if (dir === 'cluster') {
      // node:cluster re-runs the script in each worker: it runs from its build (`npm run build:demos`).
      found.set(dir, { title, build: 'demos', argv: [path.join(root, 'dist', 'demos', 'cluster', 'main.js')] });
    } else if (dir === 'echo') {
      found.set('echo', { title: `${title} (the server; port 8888 or the first argument)`, build: 'lib', argv: [...tsNode, path.join(folder, 'server.ts')] });
      found.set('echo-client', { title: 'echo — the client: one round trip to the echo server, then exit 0', build: 'lib', argv: [...tsNode, path.join(folder, 'client.ts')] });
    } else if (existsSync(path.join(folder, 'main.ts'))) {
      found.set(dir, { title, build: 'lib', argv: [...tsNode, path.join(folder, 'main.ts')] });
    }
  }
  return found;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function mtimeOf(file) {
  return existsSync(file) ? statSync(file).mtimeMs : -1;
}

function build(kind) {
  const built = kind === 'demos' ? path.join(root, 'dist', 'demos', 'cluster', 'main.js') : path.join(root, 'dist', 'cjs', 'index.js');
  const sources = Math.max(newestMtime(path.join(root, 'lib')), kind === 'demos' ? newestMtime(path.join(root, 'demos', 'cluster')) : 0);
  if (mtimeOf(built) >= sources) return;
  const script = kind === 'demos' ? 'build:demos' : 'build';
  process.stderr.write(`demo: dist/ is missing or older than the sources; running npm run ${script}\n`);
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const [name, ...args] = process.argv.slice(2);
const all = demos();
const demo = name === undefined ? undefined : all.get(name);
if (demo === undefined) {
  if (name !== undefined) process.stderr.write(`demo: no demo named '${name}'\n`);
  const width = Math.max(...[...all.keys()].map((key) => key.length));
  process.stdout.write(`usage: npm run demo -- <name> [args…]\n\ndemos:\n`);
  for (const [key, { title }] of all) process.stdout.write(`  ${key.padEnd(width)}  ${title}\n`);
  process.stdout.write(`\nEach folder's README (demos/<name>/README.md) says what to expect.\n`);
  process.exit(2);
}

build(demo.build);
const child = spawn(process.execPath, [...demo.argv, ...args], { cwd: root, stdio: 'inherit' });
const forward = (signal) => child.kill(signal);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
child.on('exit', (code, signal) => {
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(s, forward);
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
