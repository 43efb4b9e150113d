import http from 'node:http';

export interface PacedResult {
  p50: number;
  p99: number;
  max: number;
  rps: number;
  errors: number;
  /** The seconds of the run holding requests slower than 10 ms, worst first: when the tail happens. */
  slowSeconds: { second: number; slow: number; max: number }[];
}

const SLOW_MS = 10;

/** Requests slower than `SLOW_MS` counted per second of the run (by when they were due). */
function slowSecondsOf(latencies: Float64Array, rate: number) {
  const seconds = new Map<number, { second: number; slow: number; max: number }>();
  latencies.forEach((latency, i) => {
    if (latency <= SLOW_MS) return;
    const second = Math.floor(i / rate);
    const entry = seconds.get(second) ?? { second, slow: 0, max: 0 };
    entry.slow++;
    entry.max = Math.max(entry.max, Math.round(latency));
    seconds.set(second, entry);
  });
  return [...seconds.values()].sort((a, b) => b.slow - a.slow);
}

/**
 * An open-loop load at a steady rate: request i is due at `i / rate` seconds and is sent then,
 * whatever the answers before it, on a pool of keep-alive connections; its latency counts from
 * when it was due (so a stalled server or client is not hidden: no coordinated omission).
 * autocannon's `overallRate` instead lets each connection send back to back until it has made
 * its share of the second, then pause until the next second: bursts at every second's start,
 * whose queue shows in its latencies even for a constant route (BENCHMARKS.md "Decide").
 */
export async function pacedLoad(options: {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: () => string;
  rate: number;
  seconds: number;
  /** Sent first at the same rate on the same connections, and not counted. */
  warmupSeconds?: number;
  connections: number;
}): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const warmup = Math.round(options.rate * (options.warmupSeconds ?? 0));
  const total = warmup + Math.round(options.rate * options.seconds);
  const latencies = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finish = (i: number, failed: boolean) => {
      latencies[i] = performance.now() - (start + (i * 1000) / options.rate);
      if (failed && i >= warmup) errors++;
      if (++done === total) resolve();
    };
    const send = (i: number) => {
      const body = options.body?.();
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: options.method,
          path: options.path,
          headers: options.headers,
          timeout: 10_000,
        },
        (response) => {
          response.resume();
          response.on('end', () => finish(i, (response.statusCode ?? 500) >= 400));
        },
      );
      request.on('error', () => finish(i, true));
      request.on('timeout', () => request.destroy());
      request.end(body);
    };
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.rate) / 1000) + 1);
      while (sent < due) send(sent++);
      if (sent === total) clearInterval(tick);
    }, 1);
  });
  const elapsed = (performance.now() - start) / 1000 - (options.warmupSeconds ?? 0);
  agent.destroy();
  const counted = latencies.subarray(warmup);
  const sorted = Array.from(counted).sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
    rps: counted.length / elapsed,
    errors,
    slowSeconds: slowSecondsOf(counted, options.rate),
  };
}
