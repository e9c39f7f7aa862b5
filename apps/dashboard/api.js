// @ts-check
// The operator API: same origin, with the API token when the platform requires one.

/**
 * A message of the live stream (`GET /api/events/stream`): `type` says which, the rest depends on it.
 * @typedef {{ type: string, [field: string]: any }} LiveMessage
 */

const TOKEN_KEY = 'tinyfleet.apiToken';
/** @type {Promise<void> | null} */
let asking = null;

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status
   * @param {string} message
   * @param {unknown} body the response body
   */
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** @param {boolean} json */
function headers(json) {
  /** @type {Record<string, string>} */
  const out = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) out.authorization = `Bearer ${token}`;
  if (json) out['content-type'] = 'application/json';
  return out;
}

/** Asks for the token once (a modal); concurrent 401s share the same question. */
function askToken() {
  asking ??= new Promise((resolve) => {
    const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('token-dialog'));
    const input = /** @type {HTMLInputElement} */ (document.getElementById('token-input'));
    dialog.addEventListener(
      'close',
      () => {
        if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value);
        input.value = '';
        asking = null;
        resolve();
      },
      { once: true },
    );
    dialog.showModal();
  });
  return asking;
}

/**
 * A request to the operator API; resolves to the parsed JSON (or text) body, rejects with ApiError.
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [request]
 * @returns {Promise<any>} the response body, shaped as the API documents it (/docs)
 */
export async function api(path, { method = 'GET', body } = {}) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401 && attempt < 3) {
      sessionStorage.removeItem(TOKEN_KEY);
      await askToken();
      continue;
    }
    const text = await res.text();
    const data = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    if (!res.ok) {
      const msg = Array.isArray(data?.message)
        ? data.message.join('; ')
        : (data?.message ?? `${res.status} ${res.statusText}`);
      throw new ApiError(res.status, msg, data);
    }
    return data;
  }
}

/**
 * A small binary resource of the operator API (an evidence frame's PNG, ~10 kB) as a data: URL for
 * an <img>: an <img src> could not send the API token.
 * @param {string} path
 * @returns {Promise<string>}
 */
export async function apiDataUrl(path) {
  const res = await fetch(path, { headers: headers(false) });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    await askToken();
    return apiDataUrl(path);
  }
  if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`, null);
  const blob = await res.blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(/** @type {string} */ (reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/**
 * Server-Sent Events read with fetch() rather than EventSource, which cannot send the
 * Authorization header. Reconnects after 2 s on any end or error.
 */
/**
 * @param {(message: LiveMessage) => void} onMessage
 * @param {(state: 'live' | 'reconnecting') => void} onState
 * @returns {() => void} stops the stream
 */
export function connectLive(onMessage, onState) {
  const abort = new AbortController();
  (async () => {
    while (!abort.signal.aborted) {
      try {
        const res = await fetch('/api/events/stream', {
          headers: { ...headers(false), accept: 'text/event-stream' },
          signal: abort.signal,
        });
        if (res.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          await askToken();
          continue;
        }
        if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`);
        onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trimStart())
              .join('\n');
            if (data) {
              try {
                onMessage(JSON.parse(data));
              } catch (err) {
                console.error('live message', err);
              }
            }
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  return () => abort.abort();
}
