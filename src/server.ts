export * from './server/reference-server';
