/** Shared by the echo server and client. */

/** The echo demos' port: argv[2], else env PORT, else 8888 (0 asks the OS for a free port). */
export function portFromArgs(): number {
  const raw = process.argv[2] ?? process.env['PORT'] ?? '8888';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`echo demo: port must be an integer from 0 to 65535, got '${raw}'`);
  }
  return port;
}

export const HOST = '127.0.0.1';
