/**
 * The onebot-rx version. A constant rather than an import of `package.json`, so no bundler has to
 * inline (or tree-shake) the manifest into a browser build; `test/transport/version.test.ts` keeps it
 * equal to `package.json`'s `version`.
 *
 * @since 0.1.0
 * @category transport
 */
export const VERSION = '0.1.0';
