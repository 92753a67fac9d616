import * as t from 'io-ts';
import { Json, JsonObject, withDefault } from './common';

/**
 * An API request, server → us (docs/protocol.md §2.3). `params` absent or `null` decodes to `{}`.
 * `echo` is any JSON value and is kept exactly: present (even `null`) or absent, never invented.
 * Extra fields are kept.
 *
 * @example
 * import { ApiRequest } from 'onebot-rx/protocol';
 * ApiRequest.decode({ action: 'get_login_info', echo: 7 });
 * // Right({ action: 'get_login_info', params: {}, echo: 7 })
 *
 * @since 0.1.0
 * @category frames
 */
export const ApiRequest = t.intersection(
  [
    t.type({ action: t.string, params: withDefault(JsonObject, {}, 'ApiParams') }),
    t.partial({ echo: Json }),
  ],
  'ApiRequest',
);
/** @since 0.1.0 @category frames */
export type ApiRequest = t.TypeOf<typeof ApiRequest>;

/**
 * `status` of an API response (docs/protocol.md §2.4): `ok` ↔ retcode 0, `async` ↔ 1, `failed` otherwise.
 *
 * @since 0.1.0
 * @category frames
 */
export const ApiStatus = t.keyof({ ok: null, async: null, failed: null });
/** @since 0.1.0 @category frames */
export type ApiStatus = t.TypeOf<typeof ApiStatus>;

/**
 * An API response, us → server (docs/protocol.md §2.4). `data` is whatever the action returns (object,
 * array or `null` per the spec; not narrowed here so a peer's odd payload is still readable) and
 * decodes to `null` when absent. `message`/`wording` are the go-cqhttp/NapCat error texts; other
 * extras (`msg`) are kept.
 *
 * @example
 * import { ApiResponse } from 'onebot-rx/protocol';
 * ApiResponse.decode({ status: 'ok', retcode: 0, data: { message_id: 1 }, echo: '17' });
 *
 * @since 0.1.0
 * @category frames
 */
export const ApiResponse = t.intersection(
  [
    t.type({ status: ApiStatus, retcode: t.number, data: withDefault(t.unknown, null, 'ResponseData') }),
    t.partial({ echo: Json, message: t.string, wording: t.string }),
  ],
  'ApiResponse',
);
/** @since 0.1.0 @category frames */
export type ApiResponse = t.TypeOf<typeof ApiResponse>;
