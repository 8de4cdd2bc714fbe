import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { INotice } from './model';

/** The server extension's URL namespace (see jupyter_expjournal/server/handlers.py). */
export const API_NAMESPACE = 'expjournal/api';

/** What a call gave back: the JSON body (null for 304 or an empty body) and the ETag. */
export interface IReply<T> {
  status: number;
  data: T | null;
  etag: string | null;
}

/**
 * A refusal from the server: the status and its one message. A gate refusal
 * (409) also lists every reason in `refusals`, as notices.
 */
export class APIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: any
  ) {
    super(message);
    this.name = 'APIError';
  }

  get refusals(): INotice[] {
    const list = this.body?.refusals;
    return Array.isArray(list) ? list : [];
  }
}

/**
 * Call the server extension.
 *
 * @param endPoint the route under `/expjournal/api/`, query string included
 * @param init fetch options; a JSON body is sent as given
 * @param settings the server connection (base URL, token, XSRF cookie)
 * @param etag sent as `If-None-Match`: an unchanged resource answers 304 with no body
 * @returns the status, the JSON body and the ETag
 * @throws APIError for any status other than 2xx and 304, with the server's message
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  etag?: string | null
): Promise<IReply<T>> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  const headers = new Headers(init.headers ?? {});
  if (etag) {
    headers.set('If-None-Match', etag);
  }
  if (init.body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { ...init, headers, cache: 'no-store' },
      settings
    );
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const reply: IReply<T> = {
    status: response.status,
    data: null,
    etag: response.headers.get('ETag')
  };
  if (response.status === 304) {
    return reply;
  }
  const text = await response.text();
  let body: any = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) {
    throw new APIError(response.status, errorMessage(response, body), body);
  }
  reply.data = body as T;
  return reply;
}

/** One message from an error body: ours is `{error}`, Jupyter's own is `{message}`. */
function errorMessage(response: Response, body: any): string {
  if (body && typeof body === 'object') {
    for (const key of ['error', 'message', 'reason']) {
      if (typeof body[key] === 'string' && body[key]) {
        return body[key];
      }
    }
  }
  if (typeof body === 'string' && body.trim() && !body.trim().startsWith('<')) {
    return body.trim();
  }
  return `${response.status} ${response.statusText || 'error'}`.trim();
}

/** A POST of a JSON body, answered with JSON. */
export async function postAPI<T>(
  endPoint: string,
  body: unknown,
  settings?: ServerConnection.ISettings
): Promise<T> {
  const reply = await requestAPI<T>(
    endPoint,
    { method: 'POST', body: JSON.stringify(body) },
    settings
  );
  return reply.data as T;
}
