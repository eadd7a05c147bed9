/**
 * Server-Sent Events over fetch: EventSource cannot send an `Authorization` header, so the
 * stream is read from a fetch response body and parsed as the HTML standard's event-stream
 * format (`id:`, `event:`, `data:`, `retry:`, `:` comments, a blank line ends an event). The
 * reader remembers the last `id:` and, when the connection drops before the stream is
 * finished, reconnects with `Last-Event-ID` so the server sends only what was missed.
 */
import { authHeaders, errorOf } from './api.js';

const DEFAULT_RETRY_MS = 2000;
const MAX_RETRY_MS = 15000;

/** Statuses worth another try: the server is busy or restarting, not refusing this request. */
const TRANSIENT = new Set([429, 502, 503, 504]);

/**
 * Follows `url` until `isLast(event)` says the stream is complete, `signal` aborts, or the server
 * refuses the request (401, 404, …: `onError(error)`, no retry). Each event is passed to
 * `onEvent({ id, type, data })`; `onState('open' | 'reconnecting' | 'closed')` reports the link.
 */
export async function followEvents(url, { onEvent, isLast = () => false, onState = () => {}, onError = () => {}, signal }) {
  let lastEventId = null;
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;
  while (!signal?.aborted) {
    try {
      const headers = authHeaders({ accept: 'text/event-stream', ...(lastEventId === null ? {} : { 'last-event-id': lastEventId }) });
      const response = await fetch(url, { headers, signal, cache: 'no-store' });
      if (!response.ok) {
        const error = await errorOf(response);
        if (!TRANSIENT.has(response.status)) {
          onError(error);
          onState('closed');
          return;
        }
        throw error;
      }
      onState('open');
      failures = 0;
      for await (const field of eventsOf(response.body, signal)) {
        if (field.retry !== undefined) {
          retryMs = field.retry;
          continue;
        }
        if (field.id !== null) lastEventId = field.id;
        onEvent(field);
        if (isLast(field)) {
          onState('closed');
          return;
        }
      }
    } catch (error) {
      if (signal?.aborted) break;
      failures++;
      if (failures > 1) console.warn('event stream:', error);
    }
    if (signal?.aborted) break;
    onState('reconnecting');
    await sleep(Math.min(MAX_RETRY_MS, retryMs * Math.max(1, failures)), signal);
  }
  onState('closed');
}

/** The events of a stream body: `{ id, type, data }`, or `{ retry }` when the server sets the reconnection delay. */
async function* eventsOf(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const abort = () => reader.cancel().catch(() => {});
  signal?.addEventListener('abort', abort, { once: true });
  let buffer = '';
  let data = [];
  let type = '';
  let id = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      // Lines end with \r\n, \n or \r; the last piece may be a partial line, kept for the next chunk.
      const lines = buffer.split(/\r\n|\n|\r(?!$)/);
      buffer = lines.pop();
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { id, type: type || 'message', data: data.join('\n') };
          data = [];
          type = '';
          id = null;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const name = colon === -1 ? line : line.slice(0, colon);
        let text = colon === -1 ? '' : line.slice(colon + 1);
        if (text.startsWith(' ')) text = text.slice(1);
        if (name === 'data') data.push(text);
        else if (name === 'event') type = text;
        else if (name === 'id' && !text.includes('\0')) id = text;
        else if (name === 'retry' && /^\d+$/.test(text)) yield { retry: Number(text) };
      }
    }
  } finally {
    signal?.removeEventListener('abort', abort);
    abort(); // a consumer that stopped early lets the connection go (a no-op once the stream has ended)
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
