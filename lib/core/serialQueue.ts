/**
 * A queue that runs actions one at a time, in the order they were given (internal): an action given
 * while another runs waits for it, instead of running inside it. Listeners that react synchronously
 * (publish again, stop the app) thereby see every earlier delivery complete first, and every listener
 * sees the same order.
 */
export function createSerialQueue(): (action: () => void) => void {
  const queue: (() => void)[] = [];
  let running = false;
  return (action) => {
    queue.push(action);
    if (running) return;
    running = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) next();
    } finally {
      // An action that throws frees the queue (what is queued behind it runs at the next action).
      running = false;
    }
  };
}
