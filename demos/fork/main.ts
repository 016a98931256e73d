/**
 * The fork demo: an rxrun app that forks one child process (child.ts, itself an rxrun app) as a task
 * with `fork$`. Prints `child <pid>` once the child is forked, then `ready` once it reports ready.
 * SIGTERM stops both gracefully (the child on the IPC `shutdown` message; the parent waits for it,
 * then exits by SIGTERM); if the parent is SIGKILLed, the child stops itself (its IPC channel closed).
 *
 * Run: npm run build && node -r ts-node/register/transpile-only demos/fork/main.ts
 */
import * as path from 'node:path';
import { tap } from 'rxjs';
import { fork$, runApp } from 'rxrun';

// child.ts under ts-node, child.js when compiled: the same extension as this file.
const CHILD = path.join(__dirname, `child${path.extname(__filename)}`);

runApp(() =>
  fork$(CHILD, [], { name: 'child', sigtermAfter: 3000, sigkillAfter: 6000 }).pipe(
    tap((event) => {
      if (event.type === 'spawn') console.log(`child ${event.pid}`);
      if (event.type === 'message' && (event.message as { type?: string }).type === 'ready') console.log('ready');
    }),
  ),
);
