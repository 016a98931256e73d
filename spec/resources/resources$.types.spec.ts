import { firstValueFrom, of, type Observable } from 'rxjs';
import { resource$, resources$, type HeldResources } from 'rxrun';

// Compile-time checks (tsc runs over spec/): each key of the record keeps its own resource type.

describe('resources$ types', () => {
  it('infers each key from its resource$ and rejects wrong uses at compile time', async () => {
    const db = resource$(async () => ({ query: (sql: string) => sql.length }), () => undefined);
    const port = resource$(() => of(5432), () => undefined);
    const same = resources$({ db, port, again: port });
    const held = await firstValueFrom(same);
    const length: number = held.db.query('select 1');
    const number: number = held.port + held.again;
    // @ts-expect-error port is a number, not a string
    const wrong: string = held.port;
    // @ts-expect-error no such key
    void held.cache;
    const typed: Observable<HeldResources<{ db: typeof db; port: typeof port }>> = resources$({ db, port });
    const single = await firstValueFrom(resources$({ only: port }));
    expect([length, number, wrong, single.only, typeof typed.subscribe]).toEqual([8, 10864, 5432, 5432, 'function']);
  });
});
