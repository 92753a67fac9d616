export * from './server/reference-server';
export * from './server/file-logger';
