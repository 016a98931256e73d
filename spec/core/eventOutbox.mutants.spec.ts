// The event outbox on its own (internal): one ordered queue for events and log lines (issue 9).
import { createEventOutbox } from '../../lib/core/eventOutbox';
import { coreEventLog } from '../../lib/core/coreEventLog';
import type { CoreLifecycleEvent, Logger } from '../../lib/core/types';

const event = (n: number) => ({ type: 'phase', phase: 'running', at: n }) as unknown as CoreLifecycleEvent;

function setup(logger: Logger | undefined, options: { throwOnLog?: Error } = {}) {
  const order: string[] = [];
  const loggerErrors: unknown[] = [];
  const outbox = createEventOutbox(
    logger,
    (e) => {
      order.push(`prepare ${e.at}`);
      return () => {
        if (options.throwOnLog !== undefined) throw options.throwOnLog;
        order.push(`log ${e.at}`);
      };
    },
    (e) => order.push(`deliver ${e.at}`),
    (error) => loggerErrors.push(error),
  );
  return { outbox, order, loggerErrors };
}

const logger = {} as Logger;

describe('eventOutbox', () => {
  it('logs an event (prepared when published), then delivers it', () => {
    const { outbox, order } = setup(logger);
    outbox.publish(event(1), coreEventLog);
    expect(order).toEqual(['prepare 1', 'log 1', 'deliver 1']);
  });

  it('an unlogged event, or no logger: delivered without a log line', () => {
    const unlogged = setup(logger);
    unlogged.outbox.publish(event(1), coreEventLog, false);
    expect(unlogged.order).toEqual(['deliver 1']);
    const none = setup(undefined);
    none.outbox.publish(event(2), coreEventLog);
    expect(none.order).toEqual(['deliver 2']);
  });

  it('a logger that throws does not stop delivery: its error goes to onLoggerError', () => {
    const boom = new Error('logger');
    const { outbox, order, loggerErrors } = setup(logger, { throwOnLog: boom });
    outbox.publish(event(1), coreEventLog);
    expect(order).toEqual(['prepare 1', 'deliver 1']);
    expect(loggerErrors).toEqual([boom]);
    outbox.log(() => {
      throw boom;
    });
    expect(loggerErrors).toEqual([boom, boom]);
  });

  it('log() writes to the logger, and does nothing without one', () => {
    const written: Logger[] = [];
    setup(logger).outbox.log((l) => written.push(l));
    expect(written).toEqual([logger]);
    setup(undefined).outbox.log((l) => written.push(l));
    expect(written).toHaveLength(1);
  });

  it('what a listener causes while an event is delivered queues behind it (same order for everyone)', () => {
    const order: string[] = [];
    const outbox = createEventOutbox(
      undefined,
      () => () => undefined,
      (e) => {
        order.push(`deliver ${e.at}`);
        if (e.at === 1) {
          outbox.publish(event(2), coreEventLog);
          outbox.enqueue(() => order.push('action'));
          order.push('listener returns');
        }
      },
      () => undefined,
    );
    outbox.publish(event(1), coreEventLog);
    expect(order).toEqual(['deliver 1', 'listener returns', 'deliver 2', 'action']);
    // And the outbox is free again afterwards: the next publish is delivered at once.
    outbox.publish(event(3), coreEventLog);
    expect(order.at(-1)).toBe('deliver 3');
  });

  it('an action that throws frees the outbox for the next publish', () => {
    const { outbox, order } = setup(undefined);
    expect(() =>
      outbox.enqueue(() => {
        throw new Error('action');
      }),
    ).toThrow('action');
    outbox.publish(event(1), coreEventLog);
    expect(order).toEqual(['deliver 1']);
  });
});
