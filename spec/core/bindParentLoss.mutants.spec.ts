// bindParentLoss over a stand-in process port (internal; issue 9).
import type { ProcessPort } from '../../lib/process/ProcessPort';
import { bindParentLoss } from '../../lib/core/bindParentLoss';
import type { ShutdownReason } from '../../lib/core/types';

describe('bindParentLoss', () => {
  it("asks for a 'disconnect' shutdown when the channel is lost, and returns the port's unbind", () => {
    const requests: ShutdownReason[] = [];
    let lose: (() => void) | undefined;
    const unbind = () => undefined;
    const port = {
      onDisconnect: (listener: () => void) => {
        lose = listener;
        return unbind;
      },
    } as unknown as ProcessPort;
    expect(bindParentLoss(port, (reason) => requests.push(reason))).toBe(unbind);
    expect(requests).toEqual([]);
    lose?.();
    expect(requests).toEqual([{ kind: 'disconnect' }]);
  });

  it('is undefined for a port that cannot tell', () => {
    const requests: ShutdownReason[] = [];
    expect(bindParentLoss({} as ProcessPort, (reason) => requests.push(reason))).toBeUndefined();
    expect(requests).toEqual([]);
  });
});
