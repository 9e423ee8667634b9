/**
 * Sizes as people read them in messages, logs and the CLI: binary units,
 * one decimal from KiB up ("512 bytes", "1.5 KiB", "350.0 MiB"). The web UI
 * has its own (web/src/lib/format.ts): it is built apart from the server.
 */
const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${UNITS[i]}`;
}
