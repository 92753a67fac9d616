import { bundleForBrowser } from '../../scripts/browser-bundle';

/**
 * The listening transports are Node-only: the browser bundle of the root entry must carry neither
 * their adapters nor the client's composition of them (it arrives with the transports from
 * onebot-rx/server), only the `transports` option of createClient.
 */
it('the root entry bundles no listening-transport code for browsers', async () => {
  const bundle = await bundleForBrowser();
  const inputs = bundle.inputs.map((i) => i.path.replace(/.*?src\//, 'src/'));
  for (const nodeOnly of ['src/client/transports.ts', 'src/client/listening.ts', 'src/transport/forward-ws.ts', 'src/transport/http-api.ts', 'src/transport/http-post.ts', 'src/transport/listen.ts']) {
    expect(inputs).not.toContain(nodeOnly);
  }
  expect(inputs).toContain('src/client/create-client.ts');
  expect(bundle.externalImports).toEqual([]);
}, 30_000);
