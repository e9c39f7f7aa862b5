import { Option } from 'commander';

/** `--platform URL`, defaulting to TINYFLEET_URL or the local default. */
export function platformOption(): Option {
  return new Option('--platform <url>', 'platform base URL').env('TINYFLEET_URL').default('http://127.0.0.1:3000');
}

/** JSON request to the platform's REST API; a non-2xx answer becomes an Error with the API's message. */
export async function apiRequest<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const text = await apiText(baseUrl, method, path, body);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The same request, answer kept as text (CSV and HTML reports are not JSON). */
export async function apiText(baseUrl: string, method: string, path: string, body?: unknown): Promise<string> {
  // Outside the try below: a malformed --platform is not an unreachable platform ("is it running?").
  let url: URL;
  try {
    url = new URL(path, baseUrl);
  } catch {
    throw new Error(`--platform ${JSON.stringify(baseUrl)} is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        // The platform requires it when it listens beyond loopback (API_TOKEN there).
        ...(process.env.TINYFLEET_API_TOKEN ? { authorization: `Bearer ${process.env.TINYFLEET_API_TOKEN}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Error(
      `cannot reach the platform at ${baseUrl} (${(err as Error).cause ?? (err as Error).message}); is it running? (npm start)`,
      { cause: err },
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const parsed = JSON.parse(text) as { message?: string | string[] };
      message = Array.isArray(parsed.message) ? parsed.message.join('; ') : (parsed.message ?? text);
    } catch {
      // not JSON: keep the raw text
    }
    throw new Error(`${method} ${path} failed with ${res.status}: ${message}`);
  }
  return text;
}
