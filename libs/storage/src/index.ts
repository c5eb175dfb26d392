export * from './object-keys';
export * from './storage.module';
export * from './storage.service';
