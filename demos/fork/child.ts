/**
 * The fork demo's child: an rxrun app (forked by main.ts through `fork$`) that says `child: ready`,
 * reports a tick to its parent every 500 ms, and stops gracefully on the parent's IPC `shutdown`
 * message — or by itself when the parent dies (its IPC channel closes).
 */
import { interval, tap } from 'rxjs';
import { runApp } from 'rxrun';

runApp((app) => {
  app.events$.subscribe((event) => {
    if (event.type === 'phase' && event.phase === 'running') process.send?.({ type: 'ready', pid: process.pid });
    if (event.type === 'shutdown-requested' && event.first) console.log(`child: stopping (${event.reason.kind})`);
  });
  return interval(500).pipe(tap((n) => process.send?.({ type: 'tick', n })));
});
