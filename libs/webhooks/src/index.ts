export * from './address-policy';
export * from './endpoint-url';
export * from './signature';
export * from './webhook-endpoints.service';
export * from './webhooks.module';
