// The parent sender over a stand-in process port (internal; issue 9): when it sends, and its errors.
import type { ProcessPort } from '../../lib/process/ProcessPort';
import { createParentSender } from '../../lib/core/sendToParent';
import type { ErrorSource } from '../../lib/core/types';

function setup(send: ProcessPort['send'], stopped = false) {
  const errors: [ErrorSource, string, unknown][] = [];
  const port = { send } as unknown as ProcessPort;
  const sender = createParentSender(port, () => stopped, (source, name, error) => errors.push([source, name, error]));
  return { sender, errors };
}

describe('sendToParent', () => {
  it("hands the message to the port and returns the port's answer", () => {
    const sent: unknown[] = [];
    const yes = setup((message) => sent.push(message) > 0);
    expect(yes.sender('ready')).toBe(true);
    expect(sent).toEqual(['ready']);
    const no = setup(() => false);
    expect(no.sender('ready')).toBe(false);
    expect(yes.errors).toEqual([]);
    expect(no.errors).toEqual([]);
  });

  it('is false without sending once the app stopped, or when the port cannot send', () => {
    let calls = 0;
    const stopped = setup(() => {
      calls += 1;
      return true;
    }, true);
    expect(stopped.sender('ready')).toBe(false);
    expect(calls).toBe(0);
    expect(stopped.errors).toEqual([]);
    const noSend = setup(undefined);
    expect(noSend.sender('ready')).toBe(false);
    expect(noSend.errors).toEqual([]); // not an ipc error: there is no channel
  });

  it("reports a later write failure as an 'ipc' error named process.send", () => {
    let fail: ((error: unknown) => void) | undefined;
    const { sender, errors } = setup((_message, onError) => {
      fail = onError;
      return true;
    });
    expect(sender('ready')).toBe(true);
    expect(errors).toEqual([]);
    const boom = new Error('EPIPE');
    fail?.(boom);
    expect(errors).toEqual([['ipc', 'process.send', boom]]);
  });

  it("reports a send that throws as an 'ipc' error and returns false", () => {
    const boom = new Error('channel closed');
    const { sender, errors } = setup(() => {
      throw boom;
    });
    expect(sender('ready')).toBe(false);
    expect(errors).toEqual([['ipc', 'process.send', boom]]);
  });
});
