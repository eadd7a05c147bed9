/** Worker addresses: `HOST:PORT` as users write them, and which hosts only this machine reaches. */
import { isIP } from 'node:net';
import { GasError } from '../errors.js';

export function parseAddress(text: string, option: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `${option}: expected HOST:PORT, got "${text}"`, { option, value: text });
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** True for addresses only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host.toLowerCase().startsWith('::ffff:127.');
}
