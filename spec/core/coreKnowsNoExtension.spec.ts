import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The core publishes extensions' events without knowing them (each extension passes its EventLog);
// the public LifecycleEvent union is assembled above the core (lib/lifecycleEvent.ts). So no file of
// lib/core imports from an extension folder, not even a type.
describe('lib/core', () => {
  const coreDir = path.join(__dirname, '../../lib/core');
  const files = readdirSync(coreDir).filter((file) => file.endsWith('.ts'));

  it.each(files)('%s imports nothing from net, tasks, processes, workers, timers, resources or operators', (file) => {
    const source = readFileSync(path.join(coreDir, file), 'utf8');
    const imported = [...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((match) => match[1]);
    expect(imported.filter((target) => /^\.\.\/(net|tasks|processes|workers|timers|resources|operators)\//.test(target ?? ''))).toEqual([]);
  });

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files).toContain('createRuntime.ts');
  });
});
