import type { Readable } from 'node:stream';

/**
 * Calls `onLine` for every complete line read from `stream` (without the `\n` or `\r\n`), and once more
 * for an unterminated last line when the stream ends; returns a function that stops listening
 * (internal).
 */
export function lineSplitter(stream: Readable, onLine: (line: string) => void): () => void {
  let partial = '';
  stream.setEncoding('utf8');
  const onData = (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
  };
  const onEnd = () => {
    if (partial === '') return;
    const last = partial;
    partial = '';
    onLine(last);
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  return () => {
    stream.off('data', onData);
    stream.off('end', onEnd);
    // Keep the pipe flowing (a child blocked on a full pipe never exits), discarding what is left.
    stream.resume();
  };
}
