export * from './n8n';
export * from './output';
export * from './process';
export * from './server';
export * from './wait';
