export * from './rendition-segment.repository';
export * from './session.repository';
export * from './stream.repository';
export * from './webhook-endpoint.repository';
export * from './webhook-delivery.repository';
export * from './api-key.repository';
export * from './stream-stats.repository';
export * from './segment-history.repository';
