/**
 * The close `ws` itself sends when its receiver rejects a frame (see `createError` calls in ws's
 * receiver): it closes the socket on its own, so the session learns the code from the error.
 * @internal
 */
export const receiverClose = (e: Error & { code?: string }): { code: number; reason: string } | undefined => {
  const code = receiverCloseCode(e.code);
  if (code === undefined) return undefined;
  return { code, reason: code === 1009 ? `frame too large: ${e.message}` : `protocol error: ${e.message}` };
};

const receiverCloseCode = (wsCode: string | undefined): number | undefined => {
  switch (wsCode) {
    case undefined:
      return undefined;
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 1009;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    default:
      return wsCode.startsWith('WS_ERR_') ? 1002 : undefined;
  }
};
