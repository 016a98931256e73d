// runApp$'s own argument checks (issue 9): each error names runApp$ and says what is wrong.
import { NEVER } from 'rxjs';
import { runApp$ } from 'rxrun';

describe('runApp$ (mutants)', () => {
  it('refuses a second argument after an options object, naming runApp$', () => {
    expect(() => runApp$({ logger: false } as never, { logger: false })).toThrow(
      new TypeError('runApp$: with an options object first, there is no second argument'),
    );
  });

  it("a bad main is a TypeError naming runApp$ and 'main'", () => {
    expect(() => runApp$(42 as never)).toThrow(
      new TypeError("runApp$: 'main' must be an Observable, an array of Observables or a function (app) => tasks, got 42"),
    );
  });

  it('a bad option is a TypeError naming runApp$, in both forms', () => {
    const message = /^runApp\$: unknown option 'bogus' \(known: name, until, /;
    expect(() => runApp$(NEVER, { bogus: 1 } as never)).toThrow(message);
    expect(() => runApp$({ bogus: 1 } as never)).toThrow(message);
  });
});
