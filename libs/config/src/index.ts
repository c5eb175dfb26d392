export * from './define-config';
export * from './schemas';
export * from './config.module';
export * from './namespaces';
export * from './settings-table';
export * from './known-variables';
